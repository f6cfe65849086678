package reference

import (
	"strconv"
	"testing"
)

func TestKnownNumbers(t *testing.T) {
	// "7992739871" → 3 is the classic published Luhn example (79927398713);
	// "123456789" → 7 gives 1234567897, Bankgirot's usual OCR example.
	tests := []struct {
		in   string
		want byte
	}{
		{"7992739871", '3'},
		{"123456789", '7'}, // 1234567897 is Bankgirot's usual OCR example
		{"0", '0'},
		{"1", '8'},
	}
	for _, tc := range tests {
		if got := Luhn(tc.in); got != tc.want {
			t.Errorf("Luhn(%s) = %c, want %c", tc.in, got, tc.want)
		}
	}
	if !ValidKID("1234567897") || ValidKID("1234567898") {
		t.Error("KID check of 1234567897")
	}
	// seq 1 → "1", length 3 → "13", Luhn("13"): 3*2=6, +1 = 7 → check 3.
	if got := NewOCR(1); got != "133" {
		t.Errorf("NewOCR(1) = %s, want 133", got)
	}
	// seq 12345678 → 10 digits in all, length digit 0: "123456780" + Luhn.
	// From the right, doubled: 0→0, 7→5, 5→1, 3→6, 1→2 (14); kept: 8,6,4,2 (20);
	// 34 in all, so the check digit is 6.
	if got := NewOCR(12345678); got != "1234567806" || !ValidOCR(got) {
		t.Errorf("NewOCR(12345678) = %s", got)
	}
}

func TestGeneratedReferencesValidate(t *testing.T) {
	for seq := int64(1); seq < 20000; seq += 7 {
		ocr, kid := NewOCR(seq), NewKID(seq)
		if !ValidOCR(ocr) || !ValidKID(kid) {
			t.Fatalf("seq %d: %s %s", seq, ocr, kid)
		}
	}
	for _, bad := range []string{"", "1", "12a", "1234567890123456789012345678"} {
		if ValidOCR(bad) || ValidKID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzOneChangedDigitFails(f *testing.F) {
	f.Add(int64(12345), uint8(0), uint8(3))
	f.Fuzz(func(t *testing.T, seq int64, pos, delta uint8) {
		if seq < 0 {
			seq = -seq
		}
		if seq < 0 {
			return
		}
		for _, ref := range []string{NewOCR(seq), NewKID(seq)} {
			b := []byte(ref)
			i := int(pos) % len(b)
			d := delta%9 + 1
			b[i] = '0' + (b[i]-'0'+d)%10
			changed := string(b)
			// Luhn catches every single-digit change.
			if Luhn(changed[:len(changed)-1]) == changed[len(changed)-1] {
				t.Fatalf("%s → %s still passes Luhn (seq %s)", ref, changed, strconv.FormatInt(seq, 10))
			}
		}
	})
}

func TestValidKIDAny(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kid  string
		want bool
	}{
		{NewKID(1234567), true}, // MOD10
		// MOD11 of 1234567: 7·2+6·3+5·4+4·5+3·6+2·7+1·2 = 106, 106 mod 11 = 7, 11−7 = 4.
		{"12345674", true},
		{"12345675", false},
		{"00000000", true},  // all zeros weigh nothing: check 0
		{"0000000-", false}, // … never "-"
		{"10000009", true},  // 1·2 = 2, 11−2 = 9
		{"1000000-", false},
		{"", false}, {"1", false}, {"12a4", false}, {"-", false}, {"1-", false},
	}
	for _, tc := range tests {
		if got := ValidKIDAny(tc.kid); got != tc.want {
			t.Errorf("ValidKIDAny(%q) = %v, want %v", tc.kid, got, tc.want)
		}
	}
	// A MOD11 KID whose check is 10 ends in "-".
	for n := 1; n < 1000; n++ {
		d := strconv.Itoa(n)
		if Mod11(d) == '-' {
			if !ValidKIDAny(d+"-") || ValidKIDAny(d+"0") && Luhn(d) != '0' {
				t.Fatalf("ValidKIDAny(%q) wrong", d+"-")
			}
			return
		}
	}
	t.Fatal("no MOD11 check of 10 below 1000")
}
