package i18n

import (
	"strconv"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/latch-dev/latch/client/messages"
)

// Dates, times, numbers and durations in a language. Numbers are written by
// golang.org/x/text (grouping and decimal marks from CLDR); x/text has no
// date formatting, so dates are assembled from the catalog: the month
// names (messages.Months) and the order of day, month and year
// (messages.DateFormat) are keys each language translates. Times are
// written in UTC, on a 24-hour clock, as "15:04 UTC" in every language.

// Date writes the day of t in UTC: "2 January 2006", "2 janvier 2006".
func Date(l messages.Lang, t time.Time) string {
	return date(l, t, messages.Months)
}

// DateShort is Date with the short month names: "2 Jan 2006".
func DateShort(l messages.Lang, t time.Time) string {
	return date(l, t, messages.MonthsShort)
}

func date(l messages.Lang, t time.Time, months [12]messages.Key) string {
	t = t.UTC()
	return l.Fill(messages.DateFormat, "{day}", strconv.Itoa(t.Day()),
		"{month}", l.Text(months[t.Month()-1]), "{year}", strconv.Itoa(t.Year()))
}

// clock writes the time of day of t in UTC: "15:04 UTC".
func clock(t time.Time) string { return t.UTC().Format("15:04 UTC") }

// DateTime writes t as a day and a time of day in UTC, on its own:
// "2 January 2006, 15:04 UTC", "2 janvier 2006 à 15:04 UTC".
func DateTime(l messages.Lang, t time.Time) string {
	return l.Fill(messages.DateTimeFormat, "{date}", Date(l, t), "{time}", clock(t))
}

// DateTimeShort is DateTime with the short month names.
func DateTimeShort(l messages.Lang, t time.Time) string {
	return l.Fill(messages.DateTimeFormat, "{date}", DateShort(l, t), "{time}", clock(t))
}

// DateAt writes t inside a sentence: "2 January 2006 at 15:04 UTC".
func DateAt(l messages.Lang, t time.Time) string {
	return l.Fill(messages.DateAtFormat, "{date}", Date(l, t), "{time}", clock(t))
}

// Number writes n with the grouping of l: "12,345" in English, "12 345"
// in French.
func Number(l messages.Lang, n int) string {
	return printer(l).Sprint(number.Decimal(n))
}

// printer returns the x/text printer for l; an unknown or malformed tag
// prints as English.
func printer(l messages.Lang) *message.Printer {
	tag, err := language.Parse(string(l))
	if err != nil {
		tag = language.English
	}
	return message.NewPrinter(tag)
}

// Duration writes d in words, rounded to the minute: "1 minute",
// "10 minutes", "1 hour", "48 hours"; whole hours are written as hours.
func Duration(l messages.Lang, d time.Duration) string {
	switch m := int(d.Round(time.Minute) / time.Minute); {
	case m <= 1:
		return l.Text(messages.DurationMinute)
	case m%60 == 0 && m/60 == 1:
		return l.Text(messages.DurationHour)
	case m%60 == 0:
		return l.Fill(messages.DurationHours, "{n}", Number(l, m/60))
	default:
		return l.Fill(messages.DurationMinutes, "{n}", Number(l, m))
	}
}
