package locale

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// keys lists every text of w by its key ("Checkout.Title").
func keys(w *Words) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(prefix+v.Type().Field(i).Name+".", v.Field(i))
			}
		case reflect.String:
			out[strings.TrimSuffix(prefix, ".")] = v.String()
		default:
			panic("locale.Words holds a " + v.Kind().String())
		}
	}
	walk("", reflect.ValueOf(w).Elem())
	return out
}

// placeholders are a text's fmt verbs and {x} fields, in order.
var placeholderRE = regexp.MustCompile(`%[sdv]|\{[a-z]\}`)

// mayLackPlaceholder are texts whose translations may leave a placeholder
// out: the caller fills it in only when the text has one.
var mayLackPlaceholder = []string{"Checkout.BankNote"}

func TestEveryKeyInEveryLocale(t *testing.T) {
	t.Parallel()
	if len(catalogue) != len(All) {
		t.Fatalf("catalogue has %d locales, All has %d", len(catalogue), len(All))
	}
	reference := keys(catalogue[Fallback])
	for _, l := range All {
		w, ok := catalogue[l]
		if !ok {
			t.Errorf("%s: not in the catalogue", l)
			continue
		}
		texts := keys(w)
		for key, text := range texts {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", l, key)
			}
			if text != strings.TrimSpace(text) {
				t.Errorf("%s: %s has spaces around it: %q", l, key, text)
			}
			want := placeholderRE.FindAllString(reference[key], -1)
			got := placeholderRE.FindAllString(text, -1)
			if !slices.Equal(got, want) && !slices.Contains(mayLackPlaceholder, key) {
				t.Errorf("%s: %s has placeholders %v, %s has %v", l, key, got, Fallback, want)
			}
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Locale
		ok   bool
	}{
		{"sv-SE", SvSE, true},
		{"nb-NO", NbNO, true},
		{"en-GB", EnGB, true},
		{"", "", false},
		{"sv", "", false},
		{"sv-se", "", false}, // the API takes the values exactly as documented
		{"SV-SE", "", false},
		{" sv-SE", "", false},
		{"en-US", "", false},
		{"nn-NO", "", false},
		{"da-DK", "", false},
	} {
		got, err := Parse(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "sv-SE, nb-NO, en-GB") {
			t.Errorf("Parse(%q): error %q does not name the locales allowed", tc.in, err)
		}
	}
}

func TestFallback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in         Locale
		want       Locale
		lang, area string
	}{
		{SvSE, SvSE, "sv", "SE"},
		{NbNO, NbNO, "nb", "NO"},
		{EnGB, EnGB, "en-GB", "GB"},
		{"", EnGB, "en-GB", "SE"},
		{"fi-FI", EnGB, "en-GB", "SE"},
	} {
		if got := tc.in.OrFallback(); got != tc.want {
			t.Errorf("%q.OrFallback() = %q, want %q", tc.in, got, tc.want)
		}
		if got := tc.in.Words(); got != catalogue[tc.want] {
			t.Errorf("%q.Words() are not %s's", tc.in, tc.want)
		}
		if got := tc.in.Lang(); got != tc.lang {
			t.Errorf("%q.Lang() = %q, want %q", tc.in, got, tc.lang)
		}
		if got := tc.in.Region(); got != tc.area {
			t.Errorf("%q.Region() = %q, want %q", tc.in, got, tc.area)
		}
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]Locale{
		"": EnGB, "sv-SE,sv;q=0.9": SvSE, "sv": SvSE, "nb-NO": NbNO, "no": NbNO, "nn-NO,en;q=0.5": NbNO,
		"en-US,en;q=0.9": EnGB, "de-DE,sv;q=0.8": EnGB,
	} {
		if got := FromAcceptLanguage(header); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", header, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"sv-SE", "nb-NO", "en-GB", "", "sv", "en-gb", "sv-SE\x00", "ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			if l != "" {
				t.Fatalf("Parse(%q) = %q with error %v", s, l, err)
			}
			if slices.Contains(All, Locale(s)) {
				t.Fatalf("Parse(%q) refused a locale in All: %v", s, err)
			}
			return
		}
		if string(l) != s || !slices.Contains(All, l) || !l.Valid() {
			t.Fatalf("Parse(%q) = %q, which is not the input or not in All", s, l)
		}
		if l.Words() != catalogue[l] || l.OrFallback() != l {
			t.Fatalf("Parse(%q): a valid locale falls back", s)
		}
	})
}
