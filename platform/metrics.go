package platform

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pinglinks/pinglinks/store"
)

// instrument registers the platform's metrics beyond the HTTP ones on the
// API's /metrics: counters fed by the workers, the renderer and the store's
// committed link transitions, and gauges read from the database when
// scraped (the queues and payments, which several processes share).
func (p *Platform) instrument(st *store.Store, log *slog.Logger) {
	reg := p.API.Registry()
	callbackAttempts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pinglinks_callback_attempts_total", Help: "Callback delivery attempts by outcome (delivered, retry, stopped, failed).",
	}, []string{"outcome"})
	messageAttempts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pinglinks_message_attempts_total", Help: "E-mail and SMS send attempts by channel and outcome (sent, retry, failed).",
	}, []string{"channel", "outcome"})
	linkTransitions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pinglinks_link_status_transitions_total", Help: "Committed payment link status changes, by old and new status.",
	}, []string{"from", "to"})
	renders := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pinglinks_document_render_seconds", Help: "PDF documents rendered, by kind and outcome (ok, error), and how long each took.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"kind", "outcome"})
	reg.MustRegister(callbackAttempts, messageAttempts, linkTransitions, renders,
		newPoolCollector(st),
		&storeCollector{st: st, log: log})

	// Label values that will occur are made up front, so dashboards see 0
	// rather than nothing.
	for _, o := range []string{"delivered", "retry", "stopped", "failed"} {
		callbackAttempts.WithLabelValues(o)
	}
	for _, ch := range []string{store.ChannelEmail, store.ChannelSMS} {
		for _, o := range []string{"sent", "retry", "failed"} {
			messageAttempts.WithLabelValues(ch, o)
		}
	}

	p.Callbacks.Attempted = func(outcome string) { callbackAttempts.WithLabelValues(outcome).Inc() }
	p.Messages.Attempted = func(channel, outcome string) { messageAttempts.WithLabelValues(channel, outcome).Inc() }
	p.Files.Rendered = func(kind string, took time.Duration, err error) {
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		renders.WithLabelValues(kind, outcome).Observe(took.Seconds())
	}
	st.OnLinkStatus = func(from, to string) { linkTransitions.WithLabelValues(from, to).Inc() }
}

// storeCollector reads the queues and the payments from the database at
// each scrape.
type storeCollector struct {
	st  *store.Store
	log *slog.Logger
}

var (
	queuePendingDesc = prometheus.NewDesc("pinglinks_queue_pending",
		"Items waiting in a delivery queue (callbacks, messages).", []string{"queue"}, nil)
	queueOldestDesc = prometheus.NewDesc("pinglinks_queue_oldest_pending_age_seconds",
		"Age of the oldest item waiting in a delivery queue; 0 when none waits.", []string{"queue"}, nil)
	paymentsDesc = prometheus.NewDesc("pinglinks_payments",
		"Payments by provider and status.", []string{"provider", "status"}, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queuePendingDesc
	ch <- queueOldestDesc
	ch <- paymentsDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := c.st.Now()
	for _, q := range []struct {
		name string
		read func(context.Context) (store.Queue, error)
	}{{"callbacks", c.st.CallbackQueue}, {"messages", c.st.MessageQueue}} {
		s, err := q.read(ctx)
		if err != nil {
			c.log.Error("metrics", "queue", q.name, "err", err)
			ch <- prometheus.NewInvalidMetric(queuePendingDesc, err)
			continue
		}
		age := 0.0
		if !s.OldestPending.IsZero() {
			age = max(now.Sub(s.OldestPending).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(queuePendingDesc, prometheus.GaugeValue, float64(s.Pending), q.name)
		ch <- prometheus.MustNewConstMetric(queueOldestDesc, prometheus.GaugeValue, age, q.name)
	}
	counts, err := c.st.PaymentCounts(ctx)
	if err != nil {
		c.log.Error("metrics", "payments", err)
		ch <- prometheus.NewInvalidMetric(paymentsDesc, err)
		return
	}
	for _, pc := range counts {
		ch <- prometheus.MustNewConstMetric(paymentsDesc, prometheus.GaugeValue, float64(pc.N), pc.Provider, pc.Status)
	}
}

// poolCollector exposes the store's connection pool under the names
// Prometheus' database/sql collector uses, so dashboards work on both engines.
type poolCollector struct {
	st    *store.Store
	descs map[string]*prometheus.Desc
}

func newPoolCollector(st *store.Store) *poolCollector {
	c := &poolCollector{st: st, descs: map[string]*prometheus.Desc{}}
	labels := prometheus.Labels{"db_name": string(st.Engine())}
	for name, help := range map[string]string{
		"max_open_connections":        "Maximum number of open connections to the database.",
		"open_connections":            "The number of established connections both in use and idle.",
		"in_use_connections":          "The number of connections currently in use.",
		"idle_connections":            "The number of idle connections.",
		"wait_count_total":            "The total number of connections waited for.",
		"wait_duration_seconds_total": "The total time blocked waiting for a new connection.",
		"max_idle_time_closed_total":  "The total number of connections closed for being idle too long.",
		"max_lifetime_closed_total":   "The total number of connections closed for having lived too long.",
	} {
		c.descs[name] = prometheus.NewDesc("go_sql_"+name, help, nil, labels)
	}
	return c
}

// The group committers' counters (store.GroupStats): their ratio is the
// mean number of requests' writes that shared one transaction.
var (
	commitGroupsDesc = prometheus.NewDesc("pinglinks_db_commit_groups_total",
		"Transactions that committed units of work (requests' writes) as a group.", nil, nil)
	commitGroupUnitsDesc = prometheus.NewDesc("pinglinks_db_commit_group_units_total",
		"Units of work committed in those groups.", nil, nil)
	commitGroupSplitsDesc = prometheus.NewDesc("pinglinks_db_commit_group_splits_total",
		"Groups rolled back because one unit failed; their units then ran alone.", nil, nil)
	readGroupsDesc = prometheus.NewDesc("pinglinks_db_read_groups_total",
		"Batches of one-row reads sent to the database together (PostgreSQL).", nil, nil)
	groupedReadsDesc = prometheus.NewDesc("pinglinks_db_grouped_reads_total",
		"One-row reads sent in those batches.", nil, nil)
	walCheckpointsDesc = prometheus.NewDesc("pinglinks_db_wal_checkpoints_total",
		"WAL checkpoints made in the background that copied the whole WAL into the database file (SQLite).", nil, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
	ch <- commitGroupsDesc
	ch <- commitGroupUnitsDesc
	ch <- commitGroupSplitsDesc
	ch <- readGroupsDesc
	ch <- groupedReadsDesc
	ch <- walCheckpointsDesc
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.st.PoolStats()
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	for name, m := range map[string]struct {
		kind  prometheus.ValueType
		value float64
	}{
		"max_open_connections":        {gauge, float64(s.MaxOpenConnections)},
		"open_connections":            {gauge, float64(s.OpenConnections)},
		"in_use_connections":          {gauge, float64(s.InUse)},
		"idle_connections":            {gauge, float64(s.Idle)},
		"wait_count_total":            {counter, float64(s.WaitCount)},
		"wait_duration_seconds_total": {counter, s.WaitDuration.Seconds()},
		"max_idle_time_closed_total":  {counter, float64(s.MaxIdleTimeClosed)},
		"max_lifetime_closed_total":   {counter, float64(s.MaxLifetimeClosed)},
	} {
		ch <- prometheus.MustNewConstMetric(c.descs[name], m.kind, m.value)
	}
	g := c.st.GroupStats()
	ch <- prometheus.MustNewConstMetric(commitGroupsDesc, counter, float64(g.Groups))
	ch <- prometheus.MustNewConstMetric(commitGroupUnitsDesc, counter, float64(g.Units))
	ch <- prometheus.MustNewConstMetric(commitGroupSplitsDesc, counter, float64(g.Split))
	ch <- prometheus.MustNewConstMetric(readGroupsDesc, counter, float64(g.ReadGroups))
	ch <- prometheus.MustNewConstMetric(groupedReadsDesc, counter, float64(g.Reads))
	ch <- prometheus.MustNewConstMetric(walCheckpointsDesc, counter, float64(g.Checkpoints))
}
