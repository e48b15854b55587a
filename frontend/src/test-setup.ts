import { notifyManager } from '@tanstack/react-query'
import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

// The query cache tells screens of a change on the next tick (setTimeout 0) in the app; in tests it tells
// them at once, so a live event the test delivers inside act() is on screen when act() returns, as it is
// for state a screen keeps itself.
notifyManager.setScheduler((cb) => cb())

afterEach(() => cleanup())
