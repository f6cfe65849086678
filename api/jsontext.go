package api

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pinglinks/pinglinks"
)

// checkJSONText refuses a JSON body with a string (key or value, at any
// depth, free-form objects included) that holds a NUL, a byte sequence that
// is not UTF-8, or a lone UTF-16 surrogate escape. encoding/json would
// quietly turn the last two into U+FFFD, and PostgreSQL refuses NUL in text
// and jsonb alike; refusing them here, naming the property, makes both
// engines store exactly what a strict client can read back. The body's
// syntax is left to encoding/json: at the first syntax error this stops
// without complaint.
func checkJSONText(b []byte) error {
	s := textScanner{b: b}
	s.value("")
	if s.bad != nil {
		return s.bad
	}
	return nil
}

type textScanner struct {
	b   []byte
	i   int
	bad *pinglinks.Error
	// stop is set on a syntax error or the first bad string.
	stop bool
}

func (s *textScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *textScanner) next(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *textScanner) value(path string) {
	s.ws()
	if s.stop || s.i >= len(s.b) {
		s.stop = true
		return
	}
	switch s.b[s.i] {
	case '{':
		s.i++
		if s.next('}') {
			return
		}
		for !s.stop {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				s.stop = true
				return
			}
			key, ok := s.str(path)
			if !ok {
				return
			}
			if !s.next(':') {
				s.stop = true
				return
			}
			s.value(join(path, key))
			if s.next('}') {
				return
			}
			if !s.next(',') {
				s.stop = true
			}
		}
	case '[':
		s.i++
		if s.next(']') {
			return
		}
		for n := 0; !s.stop; n++ {
			s.value(path + "[" + strconv.Itoa(n) + "]")
			if s.next(']') {
				return
			}
			if !s.next(',') {
				s.stop = true
			}
		}
	case '"':
		s.str(path)
	default: // number, true, false, null: encoding/json judges them
		for s.i < len(s.b) && !isDelimiter(s.b[s.i]) {
			s.i++
		}
	}
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// str scans the string at s.i, returning its text (as far as a property
// name needs it) and whether it is acceptable; path names where it is.
func (s *textScanner) str(path string) (string, bool) {
	s.i++ // the opening quote
	start := s.i
	refuse := func(what string) (string, bool) {
		prop := path
		if prop == "" {
			prop = "body"
		}
		s.bad = pinglinks.Invalid(prop, "must not contain %s", what)
		s.stop = true
		return "", false
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			text := string(s.b[start:s.i])
			s.i++
			if unq, err := strconv.Unquote(`"` + text + `"`); err == nil {
				text = unq
			}
			return text, true
		case c == 0:
			return refuse("a NUL character")
		case c == '\\':
			if s.i+1 >= len(s.b) {
				s.stop = true
				return "", false
			}
			if s.b[s.i+1] != 'u' {
				s.i += 2
				continue
			}
			r, ok := s.hex4(s.i + 2)
			if !ok {
				s.stop = true
				return "", false
			}
			s.i += 6
			switch {
			case r == 0:
				return refuse("a NUL character")
			case r >= 0xDC00 && r <= 0xDFFF:
				return refuse("a lone UTF-16 surrogate")
			case r >= 0xD800 && r <= 0xDBFF:
				low, ok := rune(0), false
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					low, ok = s.hex4(s.i + 2)
				}
				if !ok || low < 0xDC00 || low > 0xDFFF {
					return refuse("a lone UTF-16 surrogate")
				}
				s.i += 6
			}
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size <= 1 {
				return refuse(fmt.Sprintf("invalid UTF-8 (byte 0x%02x)", c))
			}
			s.i += size
		}
	}
	s.stop = true
	return "", false
}

func (s *textScanner) hex4(at int) (rune, bool) {
	if at+4 > len(s.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.b[at:at+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

// checkText refuses a NUL or invalid UTF-8 in a query parameter or header
// value that may reach the database.
func checkText(property, v string) error {
	switch {
	case !utf8.ValidString(v):
		return pinglinks.Invalid(property, "must be valid UTF-8")
	case strings.IndexByte(v, 0) >= 0:
		return pinglinks.Invalid(property, "must not contain a NUL character")
	}
	return nil
}

// checkQuery applies checkText to every query parameter.
func checkQuery(q url.Values) error {
	for k, vs := range q {
		if err := checkText(k, k); err != nil {
			return err
		}
		for _, v := range vs {
			if err := checkText(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}
