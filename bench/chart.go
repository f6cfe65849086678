package bench

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// WriteSVG draws the results: throughput per engine, ours beside the
// baseline, and our latency percentiles per engine.
func WriteSVG(w io.Writer, results []Result) error {
	const width, height, pad = 900, 420, 50
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`, width, height)
	b.WriteString(`<rect width="100%" height="100%" fill="#fff"/>`)
	// Left: throughput bars.
	var maxT float64
	for _, r := range results {
		maxT = max(maxT, r.Throughput)
	}
	panelW := (width - 3*pad) / 2
	plotH := height - 2*pad - 30
	fmt.Fprintf(&b, `<text x="%d" y="25" font-size="15" font-weight="bold">Throughput (per second)</text>`, pad)
	barW := panelW / max(1, len(results)) * 2 / 3
	for i, r := range results {
		h := 0.0
		if maxT > 0 {
			h = r.Throughput / maxT * float64(plotH)
		}
		x := pad + i*panelW/max(1, len(results))
		color := "#1f5fa8"
		if r.System == "baseline" {
			color = "#9aa5b1"
		}
		y := float64(height-pad-30) - h
		fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"/>`, x, y, barW, h, color)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="middle">%.0f</text>`, x+barW/2, y-4, r.Throughput)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, x+barW/2, height-pad-12, html.EscapeString(r.Engine))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#444">%s</text>`, x+barW/2, height-pad+4, html.EscapeString(r.System))
	}
	// Right: latency percentiles of each run.
	var maxL float64
	for _, r := range results {
		maxL = max(maxL, r.Latency.P99)
	}
	x0 := 2*pad + panelW
	fmt.Fprintf(&b, `<text x="%d" y="25" font-size="15" font-weight="bold">Latency per operation (ms): p50 / p95 / p99</text>`, x0)
	colors := []string{"#7fb3e6", "#3d84c6", "#143f73"}
	groupW := panelW / max(1, len(results))
	for i, r := range results {
		for j, v := range []float64{r.Latency.P50, r.Latency.P95, r.Latency.P99} {
			h := 0.0
			if maxL > 0 {
				h = v / maxL * float64(plotH)
			}
			x := x0 + i*groupW + j*groupW/4
			y := float64(height-pad-30) - h
			fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"/>`, x, y, groupW/4-2, h, colors[j])
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="middle" font-size="10">%.1f</text>`, x+groupW/8, y-3, v)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, x0+i*groupW+groupW*3/8, height-pad-12, html.EscapeString(r.Engine))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#444">%s</text>`, x0+i*groupW+groupW*3/8, height-pad+4, html.EscapeString(r.System))
	}
	op := "create order + create link + get link"
	if scenarioOf(results) == "pay" {
		op += " + pay + wait for the signed callback"
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#444" font-size="11">One operation: pinglinks = %s; baseline = one durable insert.</text>`,
		pad, height-12, op)
	b.WriteString(`</svg>`)
	_, err := io.WriteString(w, b.String())
	return err
}

func scenarioOf(results []Result) string {
	for _, r := range results {
		if r.System == "pinglinks" {
			return r.Scenario
		}
	}
	return ""
}
