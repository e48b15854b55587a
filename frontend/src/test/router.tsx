// A router at a given path for a screen under test (never used by the app).
import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { Router } from 'wouter'
import { memoryLocation } from 'wouter/memory-location'

/** Renders ui at path (which may carry a query: "/confirm?token=…"); history lists where it went. */
export function renderAt(ui: ReactNode, path = '/') {
  const { hook, searchHook, history } = memoryLocation({ path, record: true })
  render(
    <Router hook={hook} searchHook={searchHook}>
      {ui}
    </Router>,
  )
  return { history }
}
