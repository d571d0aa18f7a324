/* global document, window, devicePixelRatio, uPlot */
// Runs in the browser: draws the charts of a Headroom report from the JSON embedded in the page.
// Plain JavaScript, inlined as-is, so the report needs no network and no build step to view.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var VIOLATION = '#d62728';
  var OTHER_EVENT = '#7b3294';
  var GAP = '#999999';
  var stepped = uPlot.paths.stepped({ align: 1 });

  // Both charts of a trace get the same axis widths so their time axes line up.
  var LEFT_AXIS =
    56 +
    7 *
      Math.max.apply(
        null,
        Object.keys(data.colors)
          .map(function (p) {
            return p.length;
          })
          .concat([0]),
      );
  var RIGHT_AXIS = 76;
  // The main chart's axes carry a title (uPlot adds labelSize to their width); the strip's do not.
  var LABEL = 30;
  // Times are shown in UTC, as in the rest of the report, whatever the viewer's time zone.
  function utc(ts) {
    return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
  }
  // ISO dates and a 24-hour clock, in UTC: a day boundary reads 2026-01-05, other ticks 19:00.
  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }
  function isoTick(ts) {
    var d = new Date(ts * 1e3);
    var hm = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    return hm === '00:00' ? d.toISOString().slice(0, 10) : hm;
  }
  function isoTime(ts) {
    return ts == null ? '–' : new Date(ts * 1e3).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }
  var TIME_AXIS = {
    // Room for a whole date between ticks, so labels never run into each other.
    space: 80,
    values: function (u, splits) {
      return splits.map(isoTick);
    },
  };
  function width(el) {
    return Math.max(480, el.clientWidth - 8);
  }
  function stripHeight(n) {
    return 76 + 30 * n;
  }

  function mainChart(trace, el, syncKey, height) {
    var series = [
      {
        value: function (u, ts) {
          return isoTime(ts);
        },
      },
      {
        label: 'load (req/min)',
        scale: 'load',
        stroke: '#b8c4d0',
        fill: 'rgba(184,196,208,0.35)',
        width: 1,
        value: function (u, v) {
          return v == null ? '–' : Math.round(v).toLocaleString('en-US');
        },
      },
      {
        label: 'demand d(t)',
        scale: 'inst',
        stroke: '#222222',
        width: 1.5,
        dash: [6, 4],
        paths: stepped,
      },
    ];
    var rows = [trace.x, trace.load, trace.demand];
    trace.policies.forEach(function (p) {
      series.push({
        label: p.policy,
        scale: 'inst',
        stroke: data.colors[p.policy],
        width: p.policy === 'headroom' ? 2.25 : 1.25,
        paths: stepped,
      });
      rows.push(p.inService);
    });
    return new uPlot(
      {
        width: width(el),
        height: height,
        tzDate: utc,
        cursor: { sync: { key: syncKey }, drag: { x: true, y: false } },
        scales: {
          x: { time: true },
          inst: {
            range: function (u, min, max) {
              return [0, Math.max(1, max) * 1.08];
            },
          },
        },
        axes: [
          TIME_AXIS,
          { scale: 'inst', label: 'instances', size: LEFT_AXIS },
          { scale: 'load', side: 1, label: 'requests / min', grid: { show: false }, size: RIGHT_AXIS },
        ],
        series: series,
      },
      rows,
      el,
    );
  }

  // p99 latency against the SLO line (left axis, ms) and CPU against the target (right axis, %).
  // Latency far above the SLO is cut at four times the SLO, so the line stays readable.
  function kpiChart(trace, el, syncKey, height) {
    var p = trace.policies[0];
    var slo = data.slo;
    var flat = function (v) {
      return trace.x.map(function () {
        return v;
      });
    };
    var series = [
      {
        value: function (u, ts) {
          return isoTime(ts);
        },
      },
      {
        label: 'CPU (%)',
        scale: 'pct',
        stroke: '#c4c4c4',
        width: 1,
        value: function (u, v) {
          return v == null ? '–' : Math.round(v) + ' %';
        },
      },
      {
        label: 'p99 (ms)',
        scale: 'ms',
        stroke: data.colors[p.policy],
        width: 1.25,
        value: function (u, v) {
          return v == null ? '–' : Math.round(v) + ' ms';
        },
      },
    ];
    var rows = [trace.x, p.cpu, p.p99];
    if (slo) {
      series.push({
        label: 'SLO ' + slo.p99LatencyMs + ' ms',
        scale: 'ms',
        stroke: VIOLATION,
        width: 1.5,
        dash: [8, 4],
      });
      rows.push(flat(slo.p99LatencyMs));
      series.push({
        label: 'CPU target ' + slo.cpuTargetPct + ' %',
        scale: 'pct',
        stroke: '#8a8a8a',
        width: 1,
        dash: [3, 3],
      });
      rows.push(flat(slo.cpuTargetPct));
    }
    return new uPlot(
      {
        width: width(el),
        height: height,
        tzDate: utc,
        cursor: { sync: { key: syncKey }, drag: { x: true, y: false } },
        scales: {
          x: { time: true },
          ms: {
            range: function (u, min, max) {
              var top = slo ? Math.min(Math.max(max, slo.p99LatencyMs * 1.5), slo.p99LatencyMs * 4) : max;
              return [0, Math.max(1, top) * 1.05];
            },
          },
          pct: { range: [0, 100] },
        },
        axes: [
          TIME_AXIS,
          { scale: 'ms', label: 'p99 latency (ms)', size: LEFT_AXIS },
          { scale: 'pct', side: 1, label: 'CPU (%)', grid: { show: false }, size: RIGHT_AXIS },
        ],
        series: series,
      },
      rows,
      el,
    );
  }

  // One row per policy: red bars where the SLO was violated, ticks for scaling actions,
  // diamonds for remediations and alarms, grey for gaps in the trace.
  function stripChart(trace, el, syncKey) {
    var n = trace.policies.length;
    var empty = trace.x.map(function () {
      return null;
    });
    function rowOf(i) {
      return n - i;
    }
    function draw(u) {
      var ctx = u.ctx;
      var slotPx = Math.max(2, u.bbox.width / Math.max(1, trace.x.length));
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      trace.policies.forEach(function (p, i) {
        var y = u.valToPos(rowOf(i), 'y', true);
        ctx.fillStyle = VIOLATION;
        p.violationSlots.forEach(function (s) {
          ctx.fillRect(u.valToPos(trace.x[s], 'x', true), y - 9, slotPx, 8);
        });
        ctx.fillStyle = data.colors[p.policy];
        p.eventSlots.scaling.forEach(function (s) {
          ctx.fillRect(u.valToPos(trace.x[s], 'x', true), y + 2, 1.5 * devicePixelRatio, 7);
        });
        [
          ['remediation', OTHER_EVENT],
          ['alarm', OTHER_EVENT],
          ['gap', GAP],
        ].forEach(function (kind) {
          ctx.fillStyle = kind[1];
          p.eventSlots[kind[0]].forEach(function (s) {
            var x = u.valToPos(trace.x[s], 'x', true);
            ctx.beginPath();
            ctx.moveTo(x, y - 1);
            ctx.lineTo(x + 5, y + 5);
            ctx.lineTo(x, y + 11);
            ctx.lineTo(x - 5, y + 5);
            ctx.fill();
          });
        });
      });
      ctx.restore();
    }
    return new uPlot(
      {
        width: width(el),
        height: stripHeight(n),
        tzDate: utc,
        legend: { show: false },
        cursor: { sync: { key: syncKey }, drag: { x: true, y: false }, y: false, points: { show: false } },
        scales: { x: { time: true }, y: { auto: false, range: [0.4, n + 0.6] } },
        axes: [
          { space: 80, values: TIME_AXIS.values },
          {
            size: LEFT_AXIS + LABEL,
            splits: function () {
              return trace.policies.map(function (p, i) {
                return rowOf(i);
              });
            },
            values: function (u, splits) {
              return splits.map(function (v) {
                var p = trace.policies[n - v];
                return p ? p.policy : '';
              });
            },
            grid: { stroke: '#eeeeee' },
          },
          {
            scale: 'y',
            side: 1,
            size: RIGHT_AXIS + LABEL,
            grid: { show: false },
            ticks: { show: false },
            values: function (u, splits) {
              return splits.map(function () {
                return '';
              });
            },
          },
        ],
        series: [
          {},
          {
            label: 'marks',
            stroke: 'transparent',
            paths: function () {
              return null;
            },
          },
        ],
        hooks: { draw: [draw] },
      },
      [trace.x, empty],
      el,
    );
  }

  function draw(trace, i) {
    var section = document.getElementById('trace-' + i);
    // A panel inside a closed <details> is drawn when first opened (it has no width before).
    var closed = section.closest('details:not([open])');
    if (closed) {
      closed.addEventListener('toggle', function once() {
        closed.removeEventListener('toggle', once);
        draw(trace, i);
      });
      return;
    }
    var height = Number(section.getAttribute('data-height')) || 360;
    var key = 'trace-' + i;
    // Any of the three may be absent: the overview has only the strip, the frontier no p99 panel.
    var parts = [
      [section.querySelector('.chart'), mainChart, height],
      [section.querySelector('.kpi'), kpiChart, Math.round(height * 0.8)],
      [section.querySelector('.strip'), stripChart, null],
    ]
      .filter(function (part) {
        return part[0] !== null;
      })
      .map(function (part) {
        var h = part[2] === null ? stripHeight(trace.policies.length) : part[2];
        return { el: part[0], h: h, plot: part[1](trace, part[0], key, h) };
      });
    // Zooming one chart zooms the others, so marks stay under the lines they explain.
    var syncing = false;
    parts.forEach(function (from) {
      from.plot.hooks.setScale = [
        function (u, scale) {
          if (scale !== 'x' || syncing) return;
          syncing = true;
          parts.forEach(function (to) {
            if (to !== from) to.plot.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
          });
          syncing = false;
        },
      ];
    });
    window.addEventListener('resize', function () {
      parts.forEach(function (part) {
        part.plot.setSize({ width: width(part.el), height: part.h });
      });
    });
  }
  data.traces.forEach(draw);
})();
