import type { ReactNode } from 'react'

/** Every section is one labelled region, so screen readers and tests find it by name. */
export function ViewFrame({
  title,
  description,
  actions,
  children,
}: {
  title: string
  description: string
  actions?: ReactNode
  children: ReactNode
}) {
  return (
    <section id="view" className="view" role="tabpanel" aria-label={title}>
      <header className="view-header">
        <div>
          <h1>{title}</h1>
          <p className="view-description">{description}</p>
        </div>
        {actions && <div className="view-actions">{actions}</div>}
      </header>
      {children}
    </section>
  )
}
