package mail

import "testing"

func TestParagraphs(t *testing.T) {
	got := paragraphs("One\r\ntwo  \n\n \n\nthree\rfour\n")
	want := [][]string{{"One", "two"}, {"three", "four"}}
	if len(got) != len(want) || len(got[0]) != 2 || got[0][0] != "One" || got[0][1] != "two" || got[1][0] != "three" || got[1][1] != "four" {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := paragraphs("  \n"); got != nil {
		t.Errorf("got %q for blank text, want none", got)
	}
}
