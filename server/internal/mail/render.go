package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
)

// templateFS holds the email templates: for each name, name.txt defines "subject" and "text", and
// name.html defines "title" and "content", placed in layout.html; layout.txt and layout.html hold what
// the templates share.
//
//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates is parsed once, at start-up; a broken template panics there (and in every test).
var templates = mustParse()

func mustParse() map[string]templateSet {
	names, err := fs.Glob(templateFS, "templates/*.txt")
	if err != nil {
		panic(err)
	}
	out := make(map[string]templateSet)
	for _, path := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".txt")
		if name == "layout" {
			continue
		}
		out[name] = templateSet{
			text: texttemplate.Must(texttemplate.New(name).Option("missingkey=error").
				ParseFS(templateFS, "templates/layout.txt", path)),
			html: htmltemplate.Must(htmltemplate.New(name).Option("missingkey=error").
				ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")),
		}
	}
	return out
}

// Templates returns the names Render knows, sorted.
func Templates() []string {
	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Render fills the template name with data and returns the subject (one line), the plain-text body
// and the HTML body. The HTML body escapes everything that comes from data.
func Render(name string, data any) (subject, text, html string, err error) {
	t, ok := templates[name]
	if !ok {
		return "", "", "", fmt.Errorf("mail: no template %q (have %s)", name, strings.Join(Templates(), ", "))
	}
	var s, tx, h bytes.Buffer
	if err := t.text.ExecuteTemplate(&s, "subject", data); err != nil {
		return "", "", "", fmt.Errorf("mail: template %s subject: %w", name, err)
	}
	if err := t.text.ExecuteTemplate(&tx, "text", data); err != nil {
		return "", "", "", fmt.Errorf("mail: template %s text: %w", name, err)
	}
	if err := t.html.ExecuteTemplate(&h, "layout", data); err != nil {
		return "", "", "", fmt.Errorf("mail: template %s html: %w", name, err)
	}
	return strings.Join(strings.Fields(s.String()), " "), strings.TrimSpace(tx.String()) + "\n", h.String(), nil
}

// Appointment is the data of the "appointment_confirmation" and "appointment_reminder" templates.
type Appointment struct {
	// Hospital is the hospital's name, shown at the foot of the message.
	Hospital    string
	PatientName string
	Doctor      string
	Department  string
	Start       time.Time
	// Zone is the hospital's time zone (HOSPITAL_TZ): the time is shown in it, whatever the server's
	// zone. Nil means UTC.
	Zone *time.Location
	// Bring lists what the patient should bring (referral letter, medication list, insurance card).
	Bring []string
	// CancelURL and CancelPhone say how to cancel or change the appointment; either may be empty.
	CancelURL   string
	CancelPhone string
}

func (a Appointment) local() time.Time {
	if a.Zone == nil {
		return a.Start.UTC()
	}
	return a.Start.In(a.Zone)
}

// When returns the appointment's date and time in the hospital's zone, with the zone's name:
// "Tuesday 3 March 2026, 14:30 (Europe/London)".
func (a Appointment) When() string {
	t := a.local()
	return t.Format("Monday 2 January 2006, 15:04") + " (" + t.Location().String() + ")"
}

// Day returns the appointment's day in the hospital's zone, short: "Tue 3 Mar".
func (a Appointment) Day() string { return a.local().Format("Mon 2 Jan") }
