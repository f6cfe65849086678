package pinglinks

import (
	"fmt"
	"time"
)

// Reminder channels.
const (
	RemindBySMS   = "sms"
	RemindByEmail = "email"
)

// MaxReminderDaysBefore bounds how early a reminder may be sent.
const MaxReminderDaysBefore = 60

// ReminderHour is the hour of the day, in Stockholm, reminders are sent:
// a payer reads a reminder at breakfast, not at midnight.
const ReminderHour = 9

// Reminders says when an unpaid link is sent again: DaysBefore days before
// its due date (0: not before) and on the due date itself, by each of
// Channels. No channel means no reminders, which also turns a tenant's
// default off for one link.
type Reminders struct {
	Channels   []string `json:"methods"`
	DaysBefore int      `json:"days_before,omitempty"`
	OnDueDate  bool     `json:"on_due_date"`
}

// Active reports whether any reminder would be sent.
func (r *Reminders) Active() bool {
	return r != nil && len(r.Channels) > 0 && (r.DaysBefore > 0 || r.OnDueDate)
}

// Validate checks the reminders of a link (prop "reminders") or of a
// tenant's default. A link's reminders need its due date and, for each
// channel, the customer's phone or e-mail address; a tenant's default is
// checked without a link (l nil).
func (r *Reminders) Validate(prop string, l *PaymentLink) error {
	var errs Errors
	seen := map[string]bool{}
	for i, c := range r.Channels {
		p := fmt.Sprintf("%s.methods[%d]", prop, i)
		switch {
		case c != RemindBySMS && c != RemindByEmail:
			errs.Add(p, `must be "sms" or "email"`)
		case seen[c]:
			errs.Add(p, "is given twice")
		case l != nil && c == RemindBySMS && l.Customer.Phone == "":
			errs.Add(p, "sms reminders need customer.phone")
		case l != nil && c == RemindByEmail && l.Customer.Email == "":
			errs.Add(p, "email reminders need customer.email")
		}
		seen[c] = true
	}
	if r.DaysBefore < 0 || r.DaysBefore > MaxReminderDaysBefore {
		errs.Add(prop+".days_before", "must be an integer from 1 to %d (or left out)", MaxReminderDaysBefore)
	}
	if len(r.Channels) > 0 && r.DaysBefore == 0 && !r.OnDueDate {
		errs.Add(prop, "say when: days_before, on_due_date or both (or give no methods for no reminders)")
	}
	if l != nil && len(r.Channels) > 0 && l.DueDate == "" {
		errs.Add(prop, "reminders need the link's due_date")
	}
	return errs.Err()
}

// ReminderSlot is one scheduled sending of a link's reminder.
type ReminderSlot struct {
	SendAt     time.Time
	DaysBefore int // 0: on the due date
}

// Schedule lists the reminders still to come for a link due on dueDate
// (YYYY-MM-DD), at ReminderHour in Stockholm; slots already past at now
// are left out.
func (r *Reminders) Schedule(dueDate string, now time.Time) []ReminderSlot {
	if !r.Active() || dueDate == "" {
		return nil
	}
	d, err := time.ParseInLocation(time.DateOnly, dueDate, Stockholm)
	if err != nil {
		return nil
	}
	at := func(days int) time.Time {
		day := d.AddDate(0, 0, -days)
		return time.Date(day.Year(), day.Month(), day.Day(), ReminderHour, 0, 0, 0, Stockholm).UTC()
	}
	var out []ReminderSlot
	if r.DaysBefore > 0 {
		if t := at(r.DaysBefore); t.After(now) {
			out = append(out, ReminderSlot{SendAt: t, DaysBefore: r.DaysBefore})
		}
	}
	if r.OnDueDate {
		if t := at(0); t.After(now) {
			out = append(out, ReminderSlot{SendAt: t})
		}
	}
	return out
}

// ApplyReminders gives a new link its reminders: the ones asked for, else
// the tenant's default limited to the channels the customer can be reached
// on (a default never makes a link invalid).
func (l *PaymentLink) ApplyReminders(asked, tenantDefault *Reminders) {
	if asked != nil {
		l.Reminders = asked
		return
	}
	if !tenantDefault.Active() || l.DueDate == "" {
		return
	}
	r := *tenantDefault
	r.Channels = nil
	for _, c := range tenantDefault.Channels {
		if (c == RemindBySMS && l.Customer.Phone != "") || (c == RemindByEmail && l.Customer.Email != "") {
			r.Channels = append(r.Channels, c)
		}
	}
	if r.Active() {
		l.Reminders = &r
	}
}
