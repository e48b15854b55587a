// The portal's "my data" section: download everything the hospital holds about the patient (GET
// /api/me/export, saved as a dated JSON file), and ask for erasure (POST /api/me/erasure) behind a
// dialog that says what goes and what the law makes the hospital keep, and wants a word typed. After
// erasure the account is closed, so the session ends.
import { useState, type FormEvent } from 'react'
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components'
import { messageOf, session, today } from '../../api/client'
import { $api } from '../../api/query'
import { ErrorText } from '../../components/forms'
import { fetchBlob, saveBlob } from '../../api/download'

/** The word the patient types to confirm erasure. */
export const confirmWord = 'ERASE'

export function MyData() {
  return (
    <>
      <h1>My data</h1>
      <div className="pt-layout">
        <Export />
        <Erasure />
      </div>
    </>
  )
}

function Export() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [done, setDone] = useState('')
  const download = async () => {
    setBusy(true)
    setError('')
    setDone('')
    try {
      const name = `hms-my-data-${today()}.json`
      saveBlob(await fetchBlob('/api/me/export'), name)
      setDone(`Saved as ${name}.`)
    } catch (e) {
      setError(`Could not download your data: ${messageOf(e)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="panel" aria-labelledby="pt-export-title">
      <h2 id="pt-export-title">Download my data</h2>
      <p>
        One file with everything the hospital holds about you: your account, your record and every version of
        your medical history, appointments, notifications, referrals, prescriptions, lab reports, hospital
        stays, and who opened your record and when.
      </p>
      <div className="row">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void download()}>
          {busy ? 'Preparing…' : 'Download my data'}
        </button>
        {done && (
          <span className="ok-text" role="status">
            {done}
          </span>
        )}
      </div>
      <ErrorText error={error} block />
    </section>
  )
}

function Erasure() {
  return (
    <section className="panel" aria-labelledby="pt-erase-title">
      <h2 id="pt-erase-title">Erase my personal data</h2>
      <p>
        You can ask the hospital to erase what identifies you. Your account is closed and you are signed out.
        This cannot be undone.
      </p>
      <DialogTrigger>
        <Button className="btn btn-danger">Erase my personal data…</Button>
        <ModalOverlay className="pt-overlay" isDismissable>
          <Modal className="pt-modal">
            <Dialog className="pt-dialog">{({ close }) => <EraseForm close={close} />}</Dialog>
          </Modal>
        </ModalOverlay>
      </DialogTrigger>
    </section>
  )
}

function EraseForm({ close }: { close: () => void }) {
  const erase = $api.useMutation('post', '/api/me/erasure')
  const [typed, setTyped] = useState('')
  const ready = typed.trim().toUpperCase() === confirmWord

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!ready) return
    // Erasure ends every session of the account: sign out here too.
    erase.mutate({ body: { confirm: true } }, { onSuccess: () => void session.signOut() })
  }

  return (
    <form className="stack" onSubmit={submit}>
      <Heading slot="title">Erase your personal data?</Heading>
      <div>
        <strong>What is erased</strong>
        <ul>
          <li>Your name (your record is renamed “Erased patient” and a code)</li>
          <li>Your email, phone, address, date of birth and emergency contacts</li>
          <li>Your account: it is closed and you are signed out everywhere</li>
          <li>Your name on your appointments, and your notifications</li>
        </ul>
      </div>
      <div>
        <strong>What the hospital must keep</strong>
        <ul>
          <li>
            Your medical history and its earlier versions, prescriptions, lab reports and hospital stays: the law
            requires the hospital to keep clinical records. They stay under a number, no longer with your name.
          </li>
          <li>The record of who opened your data, and of this erasure.</li>
        </ul>
        <p className="muted pt-small">
          You may want to download your data first. You can register again later with the same email address.
        </p>
      </div>
      <label>
        Type {confirmWord} to confirm
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          aria-invalid={erase.error ? true : undefined}
          aria-describedby={erase.error ? 'pt-erase-error' : undefined}
        />
      </label>
      <span id="pt-erase-error">
        <ErrorText error={erase.error ? messageOf(erase.error) : ''} block />
      </span>
      <div className="row">
        <button type="submit" className="btn btn-danger" disabled={!ready || erase.isPending}>
          {erase.isPending ? 'Erasing…' : 'Erase my data'}
        </button>
        <button type="button" className="btn" onClick={close} disabled={erase.isPending}>
          Keep my data
        </button>
      </div>
    </form>
  )
}
