package messaging

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pinglinks/pinglinks/mail"
	"github.com/pinglinks/pinglinks/store"
)

// runAccountMail sends a batch of the dashboard's e-mails (invitations,
// password resets): rendered when queued, sent like the payers' e-mails,
// on the same schedule, kept for the sandbox outbox without SMTP.
func (w *Worker) runAccountMail(ctx context.Context) (int, error) {
	due, err := w.Store.ClaimAccountMail(ctx, w.Store.Now(), w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, m := range due {
		if ctx.Err() != nil {
			break
		}
		if err := w.sendAccountMail(ctx, m); err != nil {
			errs = append(errs, err)
		}
	}
	return len(due), errors.Join(errs...)
}

func (w *Worker) sendAccountMail(ctx context.Context, m *store.AccountMail) error {
	if w.Mail == nil {
		w.attempted(&store.Message{Channel: store.ChannelEmail}, "sent")
		return w.Store.MarkAccountMailSent(context.WithoutCancel(ctx), m, true)
	}
	msg := mail.Message{To: m.Recipient, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		MessageID: fmt.Sprintf("%s-%s@pinglinks", m.Kind, m.ID)}
	if err := w.Mail.Send(ctx, msg); err != nil {
		if ctx.Err() != nil {
			return nil // the lease brings it back
		}
		var next *time.Time
		if !permanent(err) && m.Attempts <= len(Schedule) {
			d := Schedule[m.Attempts-1]
			t := w.Store.Now().Add(d + time.Duration((rand.Float64()*0.2-0.1)*float64(d)))
			next = &t
		}
		w.Log.Warn("account e-mail not sent", "mail", m.ID, "attempt", m.Attempts, "retry", next != nil, "err", err)
		return w.Store.MarkAccountMailFailed(context.WithoutCancel(ctx), m, err.Error(), next)
	}
	w.attempted(&store.Message{Channel: store.ChannelEmail}, "sent")
	return w.Store.MarkAccountMailSent(context.WithoutCancel(ctx), m, false)
}
