import { render, screen } from '@testing-library/react'
import { expect, it } from 'vitest'
import { TextField } from './fields'

it('keeps text beyond the limit and says it is too long, instead of cutting it', () => {
  const long = 'Maximiliana '.repeat(32) // 384 characters
  render(<TextField label="Name" value={long} onChange={() => undefined} limit={200} />)
  expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe(long)
  expect(screen.getByText('Name is 384 characters long; at most 200 fit.')).toBeTruthy()
})
