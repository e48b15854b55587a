// A button that copies a value shown once (a password, a client secret, a signing secret) to the
// clipboard and says beside it whether that worked; where the browser refuses the clipboard, it asks
// the person to select and copy by hand.
import { useState } from 'react'

export function CopyButton({ text, label, what, primary = false }: { text: string; label: string; what: string; primary?: boolean }) {
  const [said, setSaid] = useState('')
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setSaid('Copied.')
    } catch {
      setSaid(`Could not copy: select the ${what} and copy it by hand.`)
    }
  }
  return (
    <>
      <button type="button" className={primary ? 'btn btn-small btn-primary' : 'btn btn-small'} onClick={() => void copy()}>
        {label}
      </button>
      {said && <span className="muted">{said}</span>}
    </>
  )
}
