// The portal's sub-navigation: one link per section, wrapping onto a second line when narrow. Inside
// the /patient route (nested), so its links are relative to it.
import { Link, useLocation } from 'wouter'

export const sections = [
  { href: '/', label: 'Appointments' },
  { href: '/visits', label: 'Past visits' },
  { href: '/record', label: 'My record' },
  { href: '/prescriptions', label: 'Prescriptions' },
  { href: '/lab-reports', label: 'Lab reports' },
  { href: '/admissions', label: 'Hospital stays' },
  { href: '/bills', label: 'Bills' },
  { href: '/nearby', label: 'Nearby hospitals' },
  { href: '/profile', label: 'Profile' },
  { href: '/my-data', label: 'My data' },
]

export function PortalNav() {
  const [location] = useLocation()
  const here = (href: string) => (href === '/' ? location === '/' || location === '' : location.startsWith(href))
  return (
    <nav aria-label="My health" className="pt-nav">
      <ul>
        {sections.map((s) => (
          <li key={s.href}>
            <Link
              href={s.href}
              className={here(s.href) ? 'pt-nav-link active' : 'pt-nav-link'}
              aria-current={here(s.href) ? 'page' : undefined}
            >
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
