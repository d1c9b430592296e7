import { useId, type ReactNode } from 'react'

/** What a field's input needs to be named and described by its label, hint and error. */
export interface FieldAria {
  id: string
  'aria-invalid': boolean
  'aria-describedby'?: string
}

/** A labelled input with its hint, or its error in place of the hint. */
export function Field({
  label,
  error,
  children,
  hint,
}: {
  label: string
  error?: string
  hint?: string
  children: (props: FieldAria) => ReactNode
}) {
  // The label names the input alone; hints and errors describe it, so they stay out of its name.
  const id = useId()
  return (
    <div className="form-field">
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        'aria-invalid': Boolean(error),
        'aria-describedby': error ? `${id}-error` : hint ? `${id}-hint` : undefined,
      })}
      {error ? (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      ) : hint ? (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      ) : null}
    </div>
  )
}
