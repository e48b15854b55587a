package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"maps"
	"slices"
	"strings"
	texttemplate "text/template"
	"unicode"
)

// templateFS holds the email templates and the SMS texts: for each name, name.txt defines "subject"
// and "text", and name.html defines "title" and "content", placed in layout.html; layout.txt and
// layout.html hold what the templates share. name.sms is the SMS text of the same message (see
// RenderSMS), with layout.sms.
//
//go:embed templates/*.txt templates/*.html templates/*.sms
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
			html: htmltemplate.Must(htmltemplate.New(name).Option("missingkey=error").Funcs(htmlFuncs).
				ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")),
		}
	}
	return out
}

// htmlFuncs are the functions the HTML templates call besides the built-in ones.
var htmlFuncs = htmltemplate.FuncMap{"paragraphs": paragraphs}

// paragraphs splits plain text into paragraphs (at blank lines), each a list of lines, so that an
// HTML template can keep the text's line breaks while it escapes the lines.
func paragraphs(text string) [][]string {
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
	var out [][]string
	var para []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if strings.TrimSpace(line) == "" {
			if para != nil {
				out, para = append(out, para), nil
			}
			continue
		}
		para = append(para, line)
	}
	if para != nil {
		out = append(out, para)
	}
	return out
}

// Templates returns the names Render knows, sorted.
func Templates() []string { return slices.Sorted(maps.Keys(templates)) }

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
