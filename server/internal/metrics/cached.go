package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// cacheFor is how long a figure read from the database serves scrapes: several Prometheus servers,
// or one scraping often, then cost one read per period.
const cacheFor = 10 * time.Second

// readTimeout bounds one read of the database at scrape time.
const readTimeout = 3 * time.Second

// cached keeps the last result of load for cacheFor. A failed load keeps the previous result (a scrape
// never waits on a second try) and counts the failure.
type cached[T any] struct {
	load   func(context.Context) (T, error)
	failed prometheus.Counter
	period time.Duration

	mu   sync.Mutex // held across a load, so that concurrent scrapes share one read
	at   time.Time
	last T
}

func (c *cached[T]) get() T {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) < c.period {
		return c.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	v, err := c.load(ctx)
	c.at = time.Now() // a failure too waits a period before the next try
	if err != nil {
		c.failed.Inc()
		return c.last
	}
	c.last = v
	return v
}

// Queue is one department's queue now.
type Queue struct {
	Department     string
	Waiting        int
	InConsultation int
	// EstimatedWait is the estimate of the last waiting ticket: roughly what a newcomer faces.
	EstimatedWait time.Duration
}

// Delivery counts the notification deliveries of one channel in one state.
type Delivery struct {
	Channel, Status string
	N               int
}

var (
	queueWaitingDesc = prometheus.NewDesc("hms_queue_waiting",
		"Tickets waiting in a department's queue today.", []string{"department"}, nil)
	queueServingDesc = prometheus.NewDesc("hms_queue_in_consultation",
		"Tickets called or in consultation in a department today.", []string{"department"}, nil)
	queueWaitDesc = prometheus.NewDesc("hms_queue_estimated_wait_seconds",
		"Estimated wait of the last ticket in a department's queue.", []string{"department"}, nil)
	deliveriesDesc = prometheus.NewDesc("hms_notify_deliveries",
		"Notification deliveries (email, SMS) by channel and state; dead ones are dead letters.", []string{"channel", "status"}, nil)
)

// queueCollector reads the queues at scrape time through a cache.
type queueCollector struct{ c *cached[[]Queue] }

func (q queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueWaitingDesc
	ch <- queueServingDesc
	ch <- queueWaitDesc
}

func (q queueCollector) Collect(ch chan<- prometheus.Metric) {
	for _, d := range q.c.get() {
		ch <- prometheus.MustNewConstMetric(queueWaitingDesc, prometheus.GaugeValue, float64(d.Waiting), d.Department)
		ch <- prometheus.MustNewConstMetric(queueServingDesc, prometheus.GaugeValue, float64(d.InConsultation), d.Department)
		ch <- prometheus.MustNewConstMetric(queueWaitDesc, prometheus.GaugeValue, d.EstimatedWait.Seconds(), d.Department)
	}
}

// deliveryCollector reads the outbox's counts at scrape time through a cache.
type deliveryCollector struct{ c *cached[[]Delivery] }

func (d deliveryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- deliveriesDesc }

func (d deliveryCollector) Collect(ch chan<- prometheus.Metric) {
	for _, n := range d.c.get() {
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(n.N), n.Channel, n.Status)
	}
}

// Queues reports each department's queue, read by load at most every few seconds.
func (m *Metrics) Queues(load func(context.Context) ([]Queue, error)) {
	m.reg.MustRegister(queueCollector{&cached[[]Queue]{load: load, failed: m.readFailures("queues"), period: m.cacheFor}})
}

// Deliveries reports the notification outbox by channel and state, read by load at most every few
// seconds.
func (m *Metrics) Deliveries(load func(context.Context) ([]Delivery, error)) {
	m.reg.MustRegister(deliveryCollector{&cached[[]Delivery]{load: load, failed: m.readFailures("deliveries"), period: m.cacheFor}})
}

// readFailures counts the failed reads behind one cached figure.
func (m *Metrics) readFailures(source string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Name:        "hms_metrics_read_failures_total",
		Help:        "Reads behind a scraped figure that failed (the previous value was served).",
		ConstLabels: prometheus.Labels{"source": source},
	})
	m.reg.MustRegister(c)
	return c
}
