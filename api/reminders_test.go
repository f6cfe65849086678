package api_test

import (
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
)

// Every wrong value of the optional reminders field is a clear 422 naming
// the field; none reaches the store, none is a 500.
func TestCreateLinkRemindersValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	m := newMerchant(t, e)
	oid := newOrder(t, e, "SEK")
	due := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, 20).Format(time.DateOnly)
	with := func(reminders any, change ...func(b map[string]any)) map[string]any {
		b := linkBody(oid, m)
		b["due_date"] = due
		b["reminders"] = reminders
		for _, c := range change {
			c(b)
		}
		return b
	}
	tests := []struct {
		name string
		body map[string]any
		prop string
	}{
		{"not an object", with("weekly"), "reminders"},
		{"an array", with([]any{"sms"}), "reminders"},
		{"methods not an array", with(map[string]any{"methods": "sms"}), "reminders.methods"},
		{"method unknown", with(map[string]any{"methods": []any{"fax"}}), "reminders.methods[0]"},
		{"method not a string", with(map[string]any{"methods": []any{1}}), "reminders.methods"},
		{"method twice", with(map[string]any{"methods": []any{"sms", "sms"}}), "reminders.methods[1]"},
		{"method empty string", with(map[string]any{"methods": []any{""}}), "reminders.methods[0]"},
		{"days before zero", with(map[string]any{"methods": []any{"sms"}, "days_before": 0}), "reminders.days_before"},
		{"days before negative", with(map[string]any{"methods": []any{"sms"}, "days_before": -3}), "reminders.days_before"},
		{"days before too many", with(map[string]any{"methods": []any{"sms"}, "days_before": 61}), "reminders.days_before"},
		{"days before fractional", with(map[string]any{"methods": []any{"sms"}, "days_before": 1.5}), "reminders.days_before"},
		{"days before a string", with(map[string]any{"methods": []any{"sms"}, "days_before": "3"}), "reminders.days_before"},
		{"days before huge", with(map[string]any{"methods": []any{"sms"}, "days_before": 1e300}), "reminders.days_before"},
		{"on due date not a boolean", with(map[string]any{"methods": []any{"sms"}, "on_due_date": "yes"}), "reminders.on_due_date"},
		{"never", with(map[string]any{"methods": []any{"email"}, "on_due_date": false}), "reminders"},
		{"no due date", with(map[string]any{"methods": []any{"email"}}, func(b map[string]any) { delete(b, "due_date") }), "reminders"},
		{"sms without phone", with(map[string]any{"methods": []any{"sms"}}, func(b map[string]any) {
			delete(b["customer"].(map[string]any), "phone")
		}), "reminders.methods[0]"},
		{"email without address", with(map[string]any{"methods": []any{"sms", "email"}}, func(b map[string]any) {
			delete(b["customer"].(map[string]any), "email")
		}), "reminders.methods[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, "POST", lv1+"/payment_links", tc.body).Want(t, 422)
			if _, prop := r.ErrorAt(t); prop != tc.prop {
				t.Errorf("property %q, want %q: %s", prop, tc.prop, r.Body)
			}
		})
	}
	// Valid ones, and the field left out or null, as existing clients send.
	for name, body := range map[string]map[string]any{
		"left out": with(nil, func(b map[string]any) { delete(b, "reminders") }),
		"null":     with(nil),
		"none":     with(map[string]any{"methods": []any{}}),
		"both":     with(map[string]any{"methods": []any{"sms", "email"}, "days_before": 60, "on_due_date": true}),
	} {
		t.Run("valid "+name, func(t *testing.T) {
			body["payment_order_id"] = newOrder(t, e, "SEK")
			e.Do(t, "POST", lv1+"/payment_links", body).Want(t, 200)
		})
	}
}
