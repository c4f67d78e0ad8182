package themes

import (
	"strings"
	"testing"
)

func TestOneOfListsEveryTheme(t *testing.T) {
	var codes []string
	for _, th := range All() {
		codes = append(codes, string(th))
		if l := LabelOf(th); l.FR == "" || l.EN == "" {
			t.Errorf("%s has no label", th)
		}
		if !Valid(th) {
			t.Errorf("%s not valid", th)
		}
	}
	if got := strings.Join(codes, " "); got != OneOf {
		t.Errorf("OneOf = %q, want %q", OneOf, got)
	}
	if Valid("autre") {
		t.Error("unknown theme is valid")
	}
}
