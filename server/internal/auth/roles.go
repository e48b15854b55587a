package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/fault"
	"hms/shared"
)

// Grants is a set of permissions.
type Grants struct{ set map[shared.Permission]bool }

// NewGrants returns the set of ps.
func NewGrants(ps []shared.Permission) *Grants {
	g := &Grants{set: make(map[shared.Permission]bool, len(ps))}
	for _, p := range ps {
		g.set[p] = true
	}
	return g
}

// Has reports whether the set holds p.
func (g *Grants) Has(p shared.Permission) bool { return g != nil && g.set[p] }

// List returns the set in catalogue order.
func (g *Grants) List() []shared.Permission {
	out := []shared.Permission{}
	for _, p := range shared.Permissions {
		if g.Has(p.ID) {
			out = append(out, p.ID)
		}
	}
	return out
}

var builtinGrants = func() map[shared.Role]*Grants {
	m := map[shared.Role]*Grants{}
	for _, k := range shared.Roles {
		m[k] = NewGrants(shared.DefaultGrants(k))
	}
	return m
}()

// defaultGrants is what the built-in role kind grants until an admin changes it.
func defaultGrants(kind shared.Role) *Grants { return builtinGrants[kind] }

// lockedAdmin are the grants the built-in admin role always keeps, so that someone can always
// manage accounts and roles.
var lockedAdmin = []shared.Permission{shared.PermUsersManage, shared.PermRolesManage}

// Role is a role as stored: one of the four built-in roles (ID = its kind; stored only once an admin
// changed its grants) or a custom one built on a kind.
type Role struct {
	ID        string
	Name      string
	Kind      shared.Role
	Grants    []shared.Permission
	Revision  int64
	UpdatedAt time.Time
}

// BuiltIn reports whether r is one of the four built-in roles.
func (r Role) BuiltIn() bool { return shared.Role(r.ID).Valid() }

// The roles' errors.
var (
	ErrRoleNotFound = fault.Coded(fault.ErrNotFound, "role_not_found", "role not found")
	ErrRoleTaken    = fault.Coded(fault.ErrConflict, "role_exists", "a role with this name already exists")
	ErrRoleStale    = fault.Coded(fault.ErrConflict, "stale_revision", "the role was changed by someone else since you read it; reload and try again")
	ErrRoleInUse    = fault.Coded(fault.ErrConflict, "role_in_use", "accounts still hold this role; give them another role first")
	ErrLastAdmin    = fault.Coded(fault.ErrConflict, "last_admin", "this would leave no active account that can manage roles; keep at least one")
)

var builtinNames = map[shared.Role]string{shared.RoleAdmin: "Administrator", shared.RoleDoctor: "Doctor",
	shared.RoleStaff: "Staff", shared.RolePatient: "Patient"}

// role returns the role id names: a stored one, or a built-in role's defaults.
func (s *Service) role(ctx context.Context, id string) (Role, error) {
	r, err := s.store.RoleByID(ctx, id)
	if errors.Is(err, ErrRoleNotFound) && shared.Role(id).Valid() {
		return builtinRole(shared.Role(id)), nil
	}
	return r, err
}

// builtinRole is the built-in role of kind k as it is until an admin changes it.
func builtinRole(k shared.Role) Role {
	return Role{ID: string(k), Name: builtinNames[k], Kind: k, Grants: shared.DefaultGrants(k)}
}

// grantsOf returns what u's role grants, read from storage on every call so that a change takes
// effect on the next request on every instance. A custom role that no longer exists grants nothing;
// a grant the account's kind may not hold is never given, whatever is stored.
func (s *Service) grantsOf(ctx context.Context, u User) (*Grants, error) {
	r, err := s.role(ctx, u.roleKey())
	if errors.Is(err, ErrRoleNotFound) {
		return NewGrants(nil), nil
	}
	if err != nil {
		return nil, err
	}
	if r.Kind != u.Role {
		return NewGrants(nil), nil
	}
	return NewGrants(holdable(r.Kind, r.Grants)), nil
}

func holdable(kind shared.Role, ps []shared.Permission) []shared.Permission {
	out := make([]shared.Permission, 0, len(ps))
	for _, p := range ps {
		if info, ok := shared.PermissionByID(p); ok && info.HoldableBy(kind) {
			out = append(out, p)
		}
	}
	return out
}

// Roles lists every role, built-in ones first, with how many accounts hold each.
func (s *Service) Roles(ctx context.Context) ([]shared.RoleInfo, error) {
	stored, err := s.store.Roles(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]Role{}
	for _, r := range stored {
		byID[r.ID] = r
	}
	var all []Role
	for _, k := range shared.Roles {
		r, ok := byID[string(k)]
		if !ok {
			r = builtinRole(k)
		}
		all = append(all, r)
	}
	var custom []Role
	for _, r := range stored {
		if !r.BuiltIn() {
			custom = append(custom, r)
		}
	}
	slices.SortFunc(custom, func(a, b Role) int { return strings.Compare(a.Name, b.Name) })
	out := make([]shared.RoleInfo, 0, len(all)+len(custom))
	for _, r := range append(all, custom...) {
		n, err := s.store.CountRoleUsers(ctx, r.ID, false)
		if err != nil {
			return nil, err
		}
		out = append(out, info(r, n))
	}
	return out, nil
}

func info(r Role, users int) shared.RoleInfo {
	ri := shared.RoleInfo{ID: r.ID, Name: r.Name, Kind: r.Kind, BuiltIn: r.BuiltIn(), Grants: NewGrants(holdable(r.Kind, r.Grants)).List(),
		Users: users, Revision: r.Revision}
	if !r.UpdatedAt.IsZero() {
		t := r.UpdatedAt
		ri.UpdatedAt = &t
	}
	return ri
}

// CreateRole makes a custom role built on a kind (roles.manage). Its id is its name in lower case with
// dashes ("Lab technician" → "lab-technician"). Audited as role.create.
func (s *Service) CreateRole(ctx context.Context, by Principal, req shared.CreateRoleRequest) (shared.RoleInfo, error) {
	r, err := s.createRole(ctx, req)
	detail := fmt.Sprintf("%s (%s)", strings.TrimSpace(req.Name), req.Kind)
	if aerr := s.record(ctx, by.UserID, by.Role, "", "role.create", clip(detail), err); aerr != nil && err == nil {
		return shared.RoleInfo{}, aerr
	}
	if err != nil {
		return shared.RoleInfo{}, err
	}
	return info(r, 0), nil
}

func (s *Service) createRole(ctx context.Context, req shared.CreateRoleRequest) (Role, error) {
	name, id, err := roleName(req.Name)
	if err != nil {
		return Role{}, err
	}
	if !req.Kind.Valid() {
		return Role{}, fault.Invalid("kind must be one of admin, doctor, staff, patient")
	}
	if shared.Role(id).Valid() {
		return Role{}, ErrRoleTaken
	}
	grants := shared.DefaultGrants(req.Kind)
	if req.Grants != nil {
		if grants, err = checkGrants(req.Kind, *req.Grants); err != nil {
			return Role{}, err
		}
	}
	r := Role{ID: id, Name: name, Kind: req.Kind, Grants: grants, Revision: 1, UpdatedAt: s.now().UTC().Truncate(time.Millisecond)}
	return r, s.store.PutRole(ctx, r, 0)
}

// roleName checks a custom role's name and returns it trimmed with the id made from it.
func roleName(raw string) (name, id string, err error) {
	name = strings.Join(strings.Fields(raw), " ")
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return "", "", fault.Invalid("name is required (at most 60 characters)")
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '_':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		default:
			return "", "", fault.Invalid("name may hold letters a–z, digits, spaces and dashes only (got %q)", string(r))
		}
	}
	id = strings.TrimSuffix(b.String(), "-")
	if id == "" {
		return "", "", fault.Invalid("name must hold at least one letter or digit")
	}
	return name, id, nil
}

// checkGrants validates a set of grants for a role of kind: every permission known, each one the kind
// may hold (a patient role is never granted other patients' data; administration stays with admins).
func checkGrants(kind shared.Role, ps []shared.Permission) ([]shared.Permission, error) {
	seen := map[shared.Permission]bool{}
	for _, p := range ps {
		info, ok := shared.PermissionByID(p)
		if !ok {
			return nil, fault.Invalid("unknown permission %q (GET /api/permissions lists them)", clip(string(p)))
		}
		if !info.HoldableBy(kind) {
			if kind == shared.RolePatient {
				return nil, fault.Invalid("a patient role cannot be granted %s: it reaches other patients' data or the hospital's work", p)
			}
			return nil, fault.Invalid("a %s role cannot be granted %s (only %s roles can)", kind, p, kindsText(info.Kinds))
		}
		seen[p] = true
	}
	return NewGrants(ps).List(), nil
}

func kindsText(ks []shared.Role) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 80 {
		return string([]rune(s)[:80]) + "…"
	}
	return s
}

// UpdateRole replaces a role's grants (and a custom role's name) against the revision the admin saw
// (roles.manage). The built-in admin role keeps users.manage and roles.manage; no change may leave no
// enabled account that can manage roles. It takes effect on every account's next request, on every
// instance. Audited as role.change with what was granted and revoked.
func (s *Service) UpdateRole(ctx context.Context, by Principal, id string, req shared.UpdateRoleRequest) (shared.RoleInfo, error) {
	before, after, err := s.updateRole(ctx, id, req)
	detail := grantDiff(before.Grants, after.Grants)
	if err != nil {
		detail = grantDiff(before.Grants, req.Grants)
	}
	if aerr := s.record(ctx, by.UserID, by.Role, "", "role.change", clip(id+": "+detail), err); aerr != nil && err == nil {
		return shared.RoleInfo{}, aerr
	}
	if err != nil {
		return shared.RoleInfo{}, err
	}
	n, err := s.store.CountRoleUsers(ctx, after.ID, false)
	return info(after, n), err
}

func (s *Service) updateRole(ctx context.Context, id string, req shared.UpdateRoleRequest) (before, after Role, err error) {
	before, err = s.role(ctx, id)
	if err != nil {
		return Role{}, Role{}, err
	}
	if req.Grants == nil {
		return before, Role{}, fault.Invalid("grants is required: the whole set the role should hold (may be empty)")
	}
	if req.Revision != before.Revision {
		return before, Role{}, ErrRoleStale
	}
	grants, err := checkGrants(before.Kind, req.Grants)
	if err != nil {
		return before, Role{}, err
	}
	after = before
	if req.Name != "" && !before.BuiltIn() {
		name, _, err := roleName(req.Name)
		if err != nil {
			return before, Role{}, err
		}
		after.Name = name
	}
	if before.ID == string(shared.RoleAdmin) {
		g := NewGrants(grants)
		for _, p := range lockedAdmin {
			if !g.Has(p) {
				return before, Role{}, fault.Coded(fault.ErrInvalid, "locked_permission", "the Administrator role always keeps %s", p)
			}
		}
	}
	after.Grants, after.Revision, after.UpdatedAt = grants, before.Revision+1, s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.PutRole(ctx, after, before.Revision); err != nil {
		return before, Role{}, err
	}
	if NewGrants(before.Grants).Has(shared.PermRolesManage) && !NewGrants(grants).Has(shared.PermRolesManage) {
		if err := s.keepAnAdmin(ctx, func(ctx context.Context) error {
			undo := before
			undo.Revision, undo.UpdatedAt = after.Revision+1, s.now().UTC().Truncate(time.Millisecond)
			return s.store.PutRole(ctx, undo, after.Revision)
		}); err != nil {
			return before, Role{}, err
		}
	}
	return before, after, nil
}

// keepAnAdmin runs after a change that may have taken roles.manage from the last enabled account that
// had it: if none is left, it undoes the change and answers ErrLastAdmin. Checking after the change
// (not before) keeps the rule under races: of two admins demoting each other at once, both see none
// left and both are undone.
func (s *Service) keepAnAdmin(ctx context.Context, undo func(context.Context) error) error {
	n, err := s.managers(ctx)
	if err != nil || n > 0 {
		return err
	}
	if uerr := undo(context.WithoutCancel(ctx)); uerr != nil {
		return errors.Join(ErrLastAdmin, fmt.Errorf("undo: %w", uerr))
	}
	return ErrLastAdmin
}

// managers counts the enabled accounts whose role grants roles.manage.
func (s *Service) managers(ctx context.Context) (int, error) {
	stored, err := s.store.Roles(ctx)
	if err != nil {
		return 0, err
	}
	ids := []string{string(shared.RoleAdmin)} // always holds it
	for _, r := range stored {
		if !r.BuiltIn() && r.Kind == shared.RoleAdmin && NewGrants(r.Grants).Has(shared.PermRolesManage) {
			ids = append(ids, r.ID)
		}
	}
	total := 0
	for _, id := range ids {
		n, err := s.store.CountRoleUsers(ctx, id, true)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func grantDiff(before, after []shared.Permission) string {
	b, a := NewGrants(before), NewGrants(after)
	var parts []string
	for _, p := range a.List() {
		if !b.Has(p) {
			parts = append(parts, "+"+string(p))
		}
	}
	for _, p := range b.List() {
		if !a.Has(p) {
			parts = append(parts, "-"+string(p))
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, " ")
}

// DeleteRole removes a custom role no account holds (roles.manage), against the revision the admin saw.
// Audited as role.delete.
func (s *Service) DeleteRole(ctx context.Context, by Principal, id string, revision int64) error {
	err := s.deleteRole(ctx, id, revision)
	return audited(err, s.record(ctx, by.UserID, by.Role, "", "role.delete", clip(id), err))
}

func (s *Service) deleteRole(ctx context.Context, id string, revision int64) error {
	if shared.Role(id).Valid() {
		return fault.Invalid("the built-in roles cannot be deleted")
	}
	r, err := s.store.RoleByID(ctx, id)
	if err != nil {
		return err
	}
	if r.Revision != revision {
		return ErrRoleStale
	}
	n, err := s.store.CountRoleUsers(ctx, id, false)
	if err != nil {
		return err
	}
	if n > 0 {
		return ErrRoleInUse
	}
	return s.store.DeleteRole(ctx, id, revision)
}

// PermissionsOf returns what p's role grants, for GET /api/me.
func (s *Service) PermissionsOf(p Principal) []shared.Permission { return p.Grants() }
