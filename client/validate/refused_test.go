package validate

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// The package keeps the unicode tables out of the WebAssembly build; these
// tests hold its hand-written list to them.

func TestRefusedRangesSorted(t *testing.T) {
	prev := rune(utf8.RuneSelf - 1)
	for _, rg := range refusedRanges {
		if rg.lo <= prev || rg.hi < rg.lo {
			t.Errorf("range %U-%U is reversed, out of order or overlaps the one before", rg.lo, rg.hi)
		}
		prev = rg.hi
	}
}

// TestRefusedCoversInvisibleCharacters checks every non-ASCII code point:
// anything Unicode calls a space, control, format, private-use,
// noncharacter, variation selector or default-ignorable character must be
// refused in an address.
func TestRefusedCoversInvisibleCharacters(t *testing.T) {
	invisible := []*unicode.RangeTable{
		unicode.Zs, unicode.Zl, unicode.Zp, unicode.Cc, unicode.Cf, unicode.Co,
		unicode.White_Space, unicode.Pattern_White_Space, unicode.Bidi_Control,
		unicode.Join_Control, unicode.Noncharacter_Code_Point,
		unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point,
	}
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) { // surrogates cannot appear in valid UTF-8
			continue
		}
		if unicode.In(r, invisible...) && !refused(r) {
			t.Errorf("%U is invisible, a space or a control, but accepted in an address", r)
		}
	}
}

func TestRefusedLookalikes(t *testing.T) {
	lookalikes := map[string]string{
		"quotes":         "«»‘’‚‛“”„‟‹›＂＇〝〞〟ʹʺˮ˝״׳",
		"angle brackets": "˂˃〈〉〈〉⟨⟩《》﹤﹥＜＞‹›",
		"commas":         "、，﹐﹑､،՝߸፣᠂᠈꓾꘍꛵٫٬⸲⹁",
		"at signs":       "＠﹫",
		"full stops":     "。．｡۔։።᠃꓿꘎",
		"spaces":         "\u00a0\u1680\u2000\u2007\u200a\u202f\u205f\u3000\u2028\u2029",
		"invisible":      "\u00ad\u034f\u061c\u115f\u1160\u17b4\u180e\u200b\u200c\u200d\u200e\u202e\u2060\u2066\u3164\ufe0f\ufeff\uffa0\U000e0041\U000e0100",
		"fold to ASCII":  "ａＡ０ℂℍ𝐚𝟎ⓐ①ﬁ",
		"symbols":        "×÷™©®°€¥£✓☺🙂👍",
	}
	for name, runes := range lookalikes {
		for _, r := range runes {
			if !refused(r) {
				t.Errorf("%s: %U %q accepted in an address", name, r, r)
			}
		}
	}
}

// TestRefusedKeepsLetters checks that the letters, marks and digits of
// widely used scripts stay welcome.
func TestRefusedKeepsLetters(t *testing.T) {
	blocks := []struct {
		name   string
		lo, hi rune
	}{
		{"Latin-1", 0x00c0, 0x00ff},
		{"Latin Extended", 0x0100, 0x024f},
		{"Greek", 0x0370, 0x03ff},
		{"Cyrillic", 0x0400, 0x04ff},
		{"Armenian", 0x0531, 0x0587},
		{"Hebrew", 0x0591, 0x05ea},
		{"Arabic", 0x0620, 0x06ff},
		{"Devanagari", 0x0900, 0x097f},
		{"Bengali", 0x0980, 0x09ff},
		{"Tamil", 0x0b80, 0x0bff},
		{"Thai", 0x0e00, 0x0e7f},
		{"Georgian", 0x10a0, 0x10ff},
		{"Ethiopic", 0x1200, 0x137f},
		{"Khmer", 0x1780, 0x17ff},
		{"Latin Extended Additional", 0x1e00, 0x1eff},
		{"Hiragana", 0x3041, 0x309f},
		{"Katakana", 0x30a0, 0x30ff},
		{"CJK", 0x4e00, 0x9fff},
		{"Hangul", 0xac00, 0xd7a3},
		{"CJK Extension B", 0x20000, 0x2a6df},
	}
	deliberate := map[rune]bool{
		0x0640: true, // Arabic tatweel, a filler
		0x17b4: true, // Khmer inherent vowels, invisible
		0x17b5: true,
	}
	for _, b := range blocks {
		for r := b.lo; r <= b.hi; r++ {
			if !unicode.In(r, unicode.L, unicode.M, unicode.Nd) || deliberate[r] {
				continue
			}
			if refused(r) {
				t.Errorf("%s: %U %q refused, but it is a letter, mark or digit", b.name, r, r)
			}
		}
	}
}
