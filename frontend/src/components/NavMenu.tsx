// The header's navigation on a narrow screen (under 1280 px wide, e.g. 1024×768; under 1440 px for
// eight links or more): one "Menu" button naming the current screen, opening a keyboard-operable menu
// of the role's screens (react-aria). On a wide screen the links are shown in the header instead
// (styles in shell.css pick one).
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components'
import { useLocation } from 'wouter'
import type { NavItem } from '../roles'

export function NavMenu({ items }: { items: NavItem[] }) {
  const [location, navigate] = useLocation()
  const current = items.find((n) => location === n.href || location.startsWith(n.href + '/'))
  return (
    <MenuTrigger>
      <Button className="btn btn-quiet nav-menu-button" aria-label={current ? `Menu, on ${current.label}` : 'Menu'}>
        <span aria-hidden="true">☰ </span>
        {current?.label ?? 'Menu'}
      </Button>
      <Popover placement="bottom start" className="nav-menu-popover">
        <Menu className="nav-menu" aria-label="Main" onAction={(key) => navigate(String(key))}>
          {items.map((n) => (
            <MenuItem key={n.href} id={n.href} className="nav-menu-item" textValue={n.label}>
              {n.label}
              {n === current && <span className="sr-only"> (current)</span>}
            </MenuItem>
          ))}
        </Menu>
      </Popover>
    </MenuTrigger>
  )
}
