import type { ReactNode } from 'react'

/** The shown view's heading: focus moves here when a view opens from the keyboard. */
export const VIEW_HEADING_ID = 'view-heading'

/** Every section is one labelled region, so screen readers and tests find it by name. */
export function ViewFrame({
  title,
  heading,
  description,
  actions,
  children,
}: {
  title: string
  /** The heading's words, when they say more than the section's name (the room shown). */
  heading?: string
  description: string
  actions?: ReactNode
  children: ReactNode
}) {
  return (
    <section id="view" className="view" role="tabpanel" aria-label={title}>
      <header className="view-header">
        <div>
          <h1 id={VIEW_HEADING_ID} tabIndex={-1}>
            {heading ?? title}
          </h1>
          <p className="view-description">{description}</p>
        </div>
        {actions && <div className="view-actions">{actions}</div>}
      </header>
      {children}
    </section>
  )
}
