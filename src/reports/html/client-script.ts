/**
 * The page's own script (plain ES2020, runs in the browser after the lightweight-charts bundle): reads
 * the chart specs from `<script id="tf-data" type="application/json">`, draws each chart into its
 * `#chart-<id>` element, and exposes what it drew on `window.__tradeflowReport` (specs, chart and
 * series objects) for tests and for anyone poking at the page from the console.
 *
 * It builds no HTML: every text on the page was escaped server-side; the charts draw on canvas.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var LWC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('tf-data').textContent);
  var out = { data: data, charts: {}, ready: false };
  window.__tradeflowReport = out;

  function percent(v) { return v.toFixed(2) + '%'; }

  function priceFormat(spec, s) {
    if (spec.format === 'percent') return { type: 'custom', formatter: percent, minMove: 0.01 };
    return { type: 'price', precision: s.precision, minMove: Math.pow(10, -s.precision) };
  }

  function marker(m) {
    if (m.kind === 'fault') {
      return { time: m.t / 1000, position: 'aboveBar', shape: 'square', color: '#d97706', text: m.text || '' };
    }
    var buy = m.kind === 'buy';
    return {
      time: m.t / 1000,
      position: buy ? 'atPriceTop' : 'atPriceBottom',
      price: m.price,
      shape: buy ? 'arrowUp' : 'arrowDown',
      color: buy ? '#16a34a' : '#dc2626',
      text: m.n > 1 ? '\u00d7' + m.n : ''
    };
  }

  data.charts.forEach(function (spec) {
    var host = document.getElementById('chart-' + spec.id);
    if (!host) return;
    var chart = LWC.createChart(host, {
      autoSize: true,
      layout: {
        attributionLogo: false,
        background: { type: 'solid', color: '#ffffff' },
        textColor: '#334155',
        fontSize: 11
      },
      grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
      rightPriceScale: { borderVisible: false },
      // Up to 5000 points must fit the width: far below the default minimum spacing of 0.5 px.
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false, minBarSpacing: 0.01, rightOffset: 2 },
      crosshair: { mode: 0 }
    });
    var entry = { chart: chart, series: [] };
    spec.series.forEach(function (s) {
      var options = {
        priceFormat: priceFormat(spec, s),
        lineWidth: 2,
        priceLineVisible: false,
        lastValueVisible: true,
        title: spec.series.length > 1 ? s.name : ''
      };
      var type = LWC.LineSeries;
      if (s.style === 'area') {
        type = LWC.AreaSeries;
        options.lineColor = s.color;
        options.topColor = s.fill;
        options.bottomColor = s.fill;
        options.invertFilledArea = spec.format === 'percent';
      } else {
        options.color = s.color;
        if (s.style === 'step') options.lineType = 1;
      }
      var series = chart.addSeries(type, options);
      var k = s.scale || 1;
      var points = new Array(s.t.length);
      for (var i = 0; i < s.t.length; i++) points[i] = { time: s.t[i] / 1000, value: s.v[i] * k };
      series.setData(points);
      var markers = null;
      if (s.markers && s.markers.length > 0) markers = LWC.createSeriesMarkers(series, s.markers.map(marker));
      entry.series.push({ name: s.name, api: series, markers: markers, embedded: s.t.length, embeddedMarkers: s.markers ? s.markers.length : 0 });
    });
    chart.timeScale().fitContent();
    out.charts[spec.id] = entry;
  });
  out.ready = true;
})();
`;
