package mail

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"slices"
	"strings"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"
)

// SMSMaxLen is the most characters (Unicode code points) a text from RenderSMS has.
const SMSMaxLen = 320

// In a raw SMS rendering, each value a template passed through "user" stands between these two
// markers. user strips control characters from the value, so a value cannot forge a marker.
const (
	userStart = "\x00"
	userEnd   = "\x01"
)

// smsFuncs are the functions the SMS templates call. "user" marks text that came from people or
// records (names, a message, a reason): the part RenderSMS may shorten. Everything else — the
// template's own words, dates, numbers, links and phone numbers — is the fixed part, shown whole.
var smsFuncs = texttemplate.FuncMap{
	"user": func(s string) string { return userStart + oneLine(s) + userEnd },
}

// smsTemplates is parsed once, at start-up; a broken template panics there (and in every test).
var smsTemplates = mustParseSMS()

func mustParseSMS() map[string]*texttemplate.Template {
	paths, err := fs.Glob(templateFS, "templates/*.sms")
	if err != nil {
		panic(err)
	}
	out := make(map[string]*texttemplate.Template)
	for _, path := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".sms")
		if name == "layout" {
			continue
		}
		out[name] = texttemplate.Must(texttemplate.New(name).Option("missingkey=error").Funcs(smsFuncs).
			ParseFS(templateFS, "templates/layout.sms", path))
	}
	return out
}

// SMSTemplates returns the names RenderSMS knows, sorted.
func SMSTemplates() []string { return slices.Sorted(maps.Keys(smsTemplates)) }

// RenderSMS fills the SMS text name (templates/name.sms) with data: the same message as the email
// of that name, short, which is why this package renders it too. The text is one paragraph of plain
// text (whitespace collapsed, no HTML) of at most SMSMaxLen characters: when it would be longer, the
// longest values from data are shortened, each ending in "…", and the template's own words never.
// A field the template needs and data lacks is an error.
func RenderSMS(name string, data any) (string, error) {
	t, ok := smsTemplates[name]
	if !ok {
		return "", fmt.Errorf("mail: no SMS template %q (have %s)", name, strings.Join(SMSTemplates(), ", "))
	}
	var raw bytes.Buffer
	if err := t.ExecuteTemplate(&raw, name+".sms", data); err != nil {
		return "", fmt.Errorf("mail: SMS template %s: %w", name, err)
	}
	text, err := fit(split(raw.String()), SMSMaxLen)
	if err != nil {
		return "", fmt.Errorf("mail: SMS template %s: %w", name, err)
	}
	return text, nil
}

// segment is a piece of a raw SMS rendering: the template's (fixed) or a value's (user).
type segment struct {
	text string
	user bool
}

// split cuts a raw rendering at the user markers. Fixed pieces keep one space where they had
// whitespace (it separates them from the values), and lose control characters.
func split(raw string) []segment {
	var out []segment
	for raw != "" {
		i := strings.Index(raw, userStart)
		j := strings.Index(raw, userEnd)
		if i < 0 || j < i {
			// No (well-formed) value left: the rest is fixed. A stray marker can only come from a
			// fixed field (a link) and is dropped with the other control characters.
			out = append(out, segment{text: spaced(raw)})
			break
		}
		if i > 0 {
			out = append(out, segment{text: spaced(raw[:i])})
		}
		out = append(out, segment{text: raw[i+len(userStart) : j], user: true})
		raw = raw[j+len(userEnd):]
	}
	return out
}

// fit joins the segments into one line of at most limit characters. When they are too long, every
// value gets an equal share of the room the fixed text leaves, except that a value shorter than its
// share keeps its length and leaves the rest to the others; a value cut to its share ends in "…".
func fit(segs []segment, limit int) (string, error) {
	fixed := 0
	var lens []int
	for _, s := range segs {
		if s.user {
			lens = append(lens, utf8.RuneCountInString(s.text))
		} else {
			fixed += utf8.RuneCountInString(s.text)
		}
	}
	if fixed > limit {
		return "", fmt.Errorf("the fixed text alone is %d characters, more than %d", fixed, limit)
	}
	share := allot(lens, limit-fixed)
	var b strings.Builder
	prevUser := ""
	for _, s := range segs {
		if s.user {
			prevUser = clip(s.text, share)
			b.WriteString(prevUser)
			continue
		}
		text := s.text
		// A value that ends a sentence itself ("Call the ward.") takes the place of the template's
		// full stop or colon after it.
		if prevUser != "" && strings.ContainsAny(lastRune(prevUser), ".!?…:") && strings.ContainsAny(firstRune(text), ".:") {
			text = text[1:]
		}
		b.WriteString(text)
		prevUser = ""
	}
	return oneLine(b.String()), nil
}

// allot returns the most characters each value may have so that together they take at most room
// (math.MaxInt when they all fit whole).
func allot(lens []int, room int) int {
	sorted := slices.Sorted(slices.Values(lens))
	for i, l := range sorted {
		share := room / (len(sorted) - i)
		if l > share {
			return share
		}
		room -= l
	}
	return math.MaxInt
}

// clip returns s cut to at most n characters, the last of them "…", when it is longer. It cuts
// after a whole word when that drops no more than a quarter of what it could keep.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	kept := r[:n-1]
	if !unicode.IsSpace(r[n-1]) {
		if i := lastSpace(kept); i >= 0 && i >= len(kept)*3/4 {
			kept = kept[:i]
		}
	}
	return strings.TrimRightFunc(string(kept), unicode.IsSpace) + "…"
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if unicode.IsSpace(r[i]) {
			return i
		}
	}
	return -1
}

// oneLine returns s with control characters removed and every run of whitespace made one space,
// trimmed.
func oneLine(s string) string { return strings.Join(strings.Fields(stripControl(s)), " ") }

// spaced is oneLine without the trim: whitespace at either end stays, as one space.
func spaced(s string) string {
	s = stripControl(s)
	inner := strings.Join(strings.Fields(s), " ")
	if inner == "" {
		if s == "" {
			return ""
		}
		return " "
	}
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		inner = " " + inner
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		inner += " "
	}
	return inner
}

// stripControl turns control characters other than whitespace into nothing, and whitespace ones
// (newline, tab) into spaces.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

func lastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[len(s)-n:]
}
