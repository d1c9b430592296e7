import { createContext, useContext } from 'react'
import type { ThemeName } from './charts/palette.ts'

export const ThemeContext = createContext<ThemeName>('light')

/** The resolved theme, for the few things (chart colours) that cannot follow CSS variables. */
export function useThemeName(): ThemeName {
  return useContext(ThemeContext)
}
