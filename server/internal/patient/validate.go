package patient

import (
	"strings"
	"time"
	"unicode/utf8"

	"hms/server/internal/fault"
	"hms/shared"
)

// Limits on what a record holds.
const (
	maxName     = 200
	maxAddress  = 500
	maxListLen  = 100 // allergies, conditions
	maxItem     = 200 // one allergy or condition
	maxContacts = 10
)

// sexes are the values sex may take.
var sexes = map[string]bool{"female": true, "male": true, "other": true, "unknown": true}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxName {
		return "", fault.Invalid("name is required (at most %d characters)", maxName)
	}
	return name, nil
}

// checkDOB accepts a date of birth YYYY-MM-DD, not in the future nor before 1880 ("" clears it).
func checkDOB(dob string, now time.Time) error {
	if dob == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return fault.Invalid("date_of_birth must be a date YYYY-MM-DD")
	}
	if d.After(now) || d.Year() < 1880 {
		return fault.Invalid("date_of_birth must be in the past (and after 1880)")
	}
	return nil
}

func checkSex(sex string) error {
	if sex != "" && !sexes[sex] {
		return fault.Invalid("sex must be one of female, male, other, unknown")
	}
	return nil
}

// checkPhone accepts digits, spaces and + - ( ) . with at least 3 digits, at most 32 characters.
func checkPhone(field, phone string) error {
	if phone == "" {
		return nil
	}
	if len(phone) > 32 || len(PhoneKey(phone)) < 3 || strings.ContainsFunc(phone, func(r rune) bool {
		return !strings.ContainsRune("0123456789 +-().", r)
	}) {
		return fault.Invalid("%s must be a phone number (digits, spaces, + - ( ) .; at most 32 characters)", field)
	}
	return nil
}

// cleanList trims the items, drops empty ones and those equal after folding, and checks the limits.
func cleanList(field string, items []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		if utf8.RuneCountInString(it) > maxItem {
			return nil, fault.Invalid("each of %s is at most %d characters", field, maxItem)
		}
		if k := FoldedName(it); !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	if len(out) > maxListLen {
		return nil, fault.Invalid("%s has more than %d entries", field, maxListLen)
	}
	return out, nil
}

func checkContacts(cs []shared.EmergencyContact) ([]shared.EmergencyContact, error) {
	if len(cs) > maxContacts {
		return nil, fault.Invalid("at most %d emergency_contacts", maxContacts)
	}
	out := make([]shared.EmergencyContact, 0, len(cs))
	for _, c := range cs {
		c.Name, c.Relation, c.Phone = strings.TrimSpace(c.Name), strings.TrimSpace(c.Relation), strings.TrimSpace(c.Phone)
		if c.Name == "" || utf8.RuneCountInString(c.Name) > maxName || utf8.RuneCountInString(c.Relation) > 100 {
			return nil, fault.Invalid("an emergency contact needs a name (at most %d characters; relation at most 100)", maxName)
		}
		if c.Phone == "" {
			return nil, fault.Invalid("an emergency contact needs a phone")
		}
		if err := checkPhone("emergency_contacts.phone", c.Phone); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// changes validates a PATCH body into the changes to store.
func changes(req shared.PatchPatientRequest, now time.Time) (Changes, error) {
	c := Changes{DateOfBirth: req.DateOfBirth, Sex: req.Sex, Unidentified: req.Unidentified}
	if req.Name != nil {
		n, err := checkName(*req.Name)
		if err != nil {
			return c, err
		}
		c.Name = &n
	}
	if req.DateOfBirth != nil {
		if err := checkDOB(*req.DateOfBirth, now); err != nil {
			return c, err
		}
	}
	if req.Sex != nil {
		if err := checkSex(*req.Sex); err != nil {
			return c, err
		}
	}
	if req.Phone != nil {
		p := strings.TrimSpace(*req.Phone)
		if err := checkPhone("phone", p); err != nil {
			return c, err
		}
		c.Phone = &p
	}
	if req.Address != nil {
		a := strings.TrimSpace(*req.Address)
		if utf8.RuneCountInString(a) > maxAddress {
			return c, fault.Invalid("address is at most %d characters", maxAddress)
		}
		c.Address = &a
	}
	for _, l := range []struct {
		field string
		in    *[]string
		out   **[]string
	}{{"allergies", req.Allergies, &c.Allergies}, {"conditions", req.Conditions, &c.Conditions}} {
		if l.in != nil {
			v, err := cleanList(l.field, *l.in)
			if err != nil {
				return c, err
			}
			*l.out = &v
		}
	}
	if req.EmergencyContacts != nil {
		v, err := checkContacts(*req.EmergencyContacts)
		if err != nil {
			return c, err
		}
		c.EmergencyContacts = &v
	}
	return c, nil
}

// apply returns r with c applied.
func (c Changes) apply(r Record) Record {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Name, c.Name)
	set(&r.DateOfBirth, c.DateOfBirth)
	set(&r.Sex, c.Sex)
	set(&r.Phone, c.Phone)
	set(&r.Address, c.Address)
	if c.Allergies != nil {
		r.Allergies = *c.Allergies
	}
	if c.Conditions != nil {
		r.Conditions = *c.Conditions
	}
	if c.EmergencyContacts != nil {
		r.EmergencyContacts = *c.EmergencyContacts
	}
	if c.Unidentified != nil {
		r.Unidentified = *c.Unidentified
	}
	return r
}
