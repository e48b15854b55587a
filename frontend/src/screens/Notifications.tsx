// /notifications, for every role: all of my notifications, a page at a time (or only the unread ones),
// and my notification preferences.
import { session } from '../api/client'
import '../notifications/notifications.css'
import { AllNotifications } from './notifications/AllNotifications'
import { Preferences } from './notifications/Preferences'

export function NotificationsScreen() {
  const user = session.current?.user
  if (!user) return null
  return (
    <div className="stack">
      <h1>Notifications</h1>
      <div className="nt-screen">
        <AllNotifications />
        <Preferences role={user.role} />
      </div>
    </div>
  )
}
