/**
 * Series colours per theme, as concrete values: recharts writes them into SVG attributes. Chosen to
 * stay apart for the common kinds of colour blindness, and muted so a calm screen stays calm.
 */
export const PALETTE = {
  light: {
    total: '#1f2933',
    series: ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#0c8599', '#c2255c', '#5c940d', '#d9480f'],
    grid: '#e3e7ec',
    axis: '#6b7480',
  },
  dark: {
    total: '#e6e9ee',
    series: ['#748ffc', '#ff922b', '#51cf66', '#da77f2', '#3bc9db', '#f06595', '#94d82d', '#ffa94d'],
    grid: '#2a313b',
    axis: '#8d97a5',
  },
} as const

export type ThemeName = keyof typeof PALETTE

export function seriesColor(theme: ThemeName, index: number): string {
  const colours = PALETTE[theme].series
  return colours[index % colours.length] as string
}

/** Groups named after a colour (a common choice: teams red and blue) are drawn in that colour. */
const NAMED: Record<string, { light: string; dark: string }> = {
  red: { light: '#e03131', dark: '#ff6b6b' },
  blue: { light: '#1c7ed6', dark: '#4dabf7' },
  green: { light: '#2f9e44', dark: '#51cf66' },
  orange: { light: '#f76707', dark: '#ff922b' },
  yellow: { light: '#f59f00', dark: '#fcc419' },
  purple: { light: '#7048e8', dark: '#9775fa' },
  violet: { light: '#7048e8', dark: '#9775fa' },
  pink: { light: '#d6336c', dark: '#f06595' },
  teal: { light: '#0c8599', dark: '#3bc9db' },
  cyan: { light: '#1098ad', dark: '#66d9e8' },
  grey: { light: '#868e96', dark: '#adb5bd' },
  gray: { light: '#868e96', dark: '#adb5bd' },
  black: { light: '#343a40', dark: '#ced4da' },
  white: { light: '#adb5bd', dark: '#f1f3f5' },
}

/** A group's colour: its own name's colour when it is one, else the palette by its place in the legend. */
export function groupColor(theme: ThemeName, group: string, index: number): string {
  return NAMED[group.toLowerCase()]?.[theme] ?? seriesColor(theme, index)
}
