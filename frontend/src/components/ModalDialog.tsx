// A modal dialog (react-aria-components): focus moves in and is kept there, Escape and the close button
// close it, the focus returns to what opened it. The title names it for screen readers.
import type { ReactNode } from 'react'
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components'
import './modal-dialog.css'

export function ModalDialog({
  title,
  isOpen,
  onClose,
  role = 'dialog',
  children,
}: {
  title: ReactNode
  isOpen: boolean
  onClose: () => void
  /** alertdialog for a confirmation of something that cannot be undone. */
  role?: 'dialog' | 'alertdialog'
  children: ReactNode
}) {
  return (
    <ModalOverlay isOpen={isOpen} onOpenChange={(open) => !open && onClose()} isDismissable className="md-overlay">
      <Modal className="md-modal">
        <Dialog role={role} className="md-dialog">
          <Heading slot="title" className="md-title">
            {title}
          </Heading>
          {children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  )
}
