// A PDF the server makes (an invoice, a payment's receipt), downloaded with the access token rather
// than through a bare link, and why it failed in words when it did (the PDFs may not be on every server).
import { useState } from 'react'
import { billingError } from '../../api/billing'
import { ErrorText } from '../../components/forms'
import { fetchBlob, saveBlob } from '../patient/download'

export function DownloadPDF({ path, name, label }: { path: string; name: string; label: string }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const download = async () => {
    setBusy(true)
    setError('')
    try {
      saveBlob(await fetchBlob(path), name)
    } catch (e) {
      setError(`Could not download ${name}: ${billingError(e)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <span className="bl-download">
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => void download()}>
        {busy ? 'Downloading…' : label}
      </button>
      <ErrorText error={error} />
    </span>
  )
}
