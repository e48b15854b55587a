import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { unlockSound } from './sound'
import './styles.css'

// Sound may start only after a user gesture; the first click or key press anywhere unlocks it.
const unlock = () => void unlockSound()
window.addEventListener('pointerdown', unlock, { once: true })
window.addEventListener('keydown', unlock, { once: true })

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
