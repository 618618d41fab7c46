package ui

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// ExprString returns s as a JavaScript string literal that is safe to place
// in a Datastar expression (data-on:*, data-init, data-text, …).
//
// JSON quoting alone is not enough there: before it evaluates an
// expression, Datastar rewrites "@name(" into an action call even inside
// string literals, so a value holding "@get(" would end the string and run
// as code, and it rewrites "$name" and its escape markers too. Here every
// byte but letters, digits and a few inert punctuation marks (space / . - _
// : ? = & % # , + ~) is written as a \uXXXX escape: the literal holds no
// quote, backslash (other than those escapes), "@", "$", ";", brace,
// backtick or non-ASCII character, and JavaScript still reads it back as s.
// Invalid UTF-8 reads back as U+FFFD.
func ExprString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		if inert(r) {
			b.WriteRune(r)
			continue
		}
		units := []uint16{uint16(r)}
		if r > 0xFFFF {
			units = utf16.Encode([]rune{r})
		}
		for _, u := range units {
			b.WriteString(`\u`)
			hex := strconv.FormatUint(uint64(u), 16)
			b.WriteString(strings.Repeat("0", 4-len(hex)))
			b.WriteString(hex)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// inert reports whether r may appear as itself in an expression string.
func inert(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune(" /.-_:?=&%#,+~", r)
}
