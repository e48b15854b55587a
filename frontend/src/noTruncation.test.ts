// A field that cuts what is typed or pasted at a length saves a name cut mid-word without a word said
// (a 384-character name was saved as its first 200). No input may carry maxLength: the server answers
// an over-long value with a 400 naming the field and its limit, and the screen shows it at the field.
import { expect, it } from 'vitest'

const screens = import.meta.glob<string>(['./**/*.tsx', '!./**/*.test.tsx'], { query: '?raw', import: 'default', eager: true })

it('no field silently cuts its input (maxLength)', () => {
  expect(Object.keys(screens).length).toBeGreaterThan(50)
  const offenders = Object.entries(screens).filter(([, text]) => /\bmaxLength\s*=/.test(text)).map(([file]) => file)
  expect(offenders).toEqual([])
})
