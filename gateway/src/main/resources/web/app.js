'use strict';
// The gateway's web UI: classify an image (with its saliency), look inside the served model, watch the
// live predictions and charts of what the system did lately, see and promote model versions.
// Plain browser JavaScript against the gateway's own API (/v1/...), with the API key kept in localStorage.

const KEY_ITEM = 'pipeline-api-key';
const FEED_ROWS = 25;
const STATS_EVERY_MS = 5000;
const $ = id => document.getElementById(id);

let key = localStorage.getItem(KEY_ITEM);
let paused = false;
let missedWhilePaused = 0;
/** The served version as name:version (the inside-the-model panels look at it), and the live accuracy per version. */
let servedVersion = null;
let liveAccuracy = {};

function api(path, options = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + key }, options.headers || {});
  return fetch(path, Object.assign({}, options, { headers }));
}

/** The gateway's error body ({code, message}) as one line, or the status when there is none. */
async function problem(response) {
  try {
    const body = await response.json();
    return `${response.status} ${body.code}: ${body.message}`;
  } catch (e) {
    return `${response.status} ${response.statusText}`;
  }
}

function percent(x) {
  return (100 * x).toFixed(1) + ' %';
}

// --- the key -------------------------------------------------------------------------------------

async function start() {
  if (!key) {
    showKeyForm('');
    return;
  }
  const check = await api('/v1/models');
  if (check.status === 401 || check.status === 403) {
    showKeyForm('The gateway refused the key: ' + await problem(check));
    return;
  }
  $('key-form').hidden = true;
  $('app').hidden = false;
  $('forget-key').hidden = false;
  showModels(check.ok ? await check.json() : null, check.ok ? '' : await problem(check));
  followPredictions();
  refreshStats();
  setInterval(refreshStats, STATS_EVERY_MS);
}

/** An image endpoint's PNG into an <img>, through fetch so that the key travels in a header. */
async function loadPicture(img, path, errorElement) {
  const response = await api(path);
  if (!response.ok) {
    errorElement.textContent = await problem(response);
    return false;
  }
  img.src = URL.createObjectURL(await response.blob());
  img.hidden = false;
  return true;
}

function showKeyForm(message) {
  $('app').hidden = true;
  $('key-form').hidden = false;
  $('key-error').textContent = message;
}

$('key-form').querySelector('form').addEventListener('submit', event => {
  event.preventDefault();
  key = $('key').value.trim();
  localStorage.setItem(KEY_ITEM, key);
  start();
});

$('forget-key').addEventListener('click', () => {
  localStorage.removeItem(KEY_ITEM);
  location.reload();
});

// --- classify ------------------------------------------------------------------------------------

const drop = $('drop');
drop.addEventListener('dragover', event => { event.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', event => {
  event.preventDefault();
  drop.classList.remove('over');
  if (event.dataTransfer.files.length > 0) {
    classify(event.dataTransfer.files[0]);
  }
});
$('file').addEventListener('change', () => {
  if ($('file').files.length > 0) {
    classify($('file').files[0]);
  }
});

async function classify(file) {
  $('classify-error').textContent = '';
  $('result').hidden = true;
  const response = await api('/v1/images?wait=10s&source=web-ui', {
    method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
  if (response.status === 202) {
    $('classify-error').textContent = 'Accepted, but no prediction came back within 10 s (is a worker running?)';
    return;
  }
  if (!response.ok) {
    $('classify-error').textContent = await problem(response);
    return;
  }
  const prediction = await response.json();
  $('preview').src = URL.createObjectURL(file);
  $('result-model').textContent = `${prediction.model.name} v${prediction.model.version} · image ${prediction.id}`;
  const top = $('top');
  top.replaceChildren(...prediction.top.map(scored => {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = scored.label;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = percent(scored.score).replace(' ', '');
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = percent(scored.score);
    item.append(label, bar, score);
    return item;
  }));
  drawEmbedding(prediction.embedding);
  $('result').hidden = false;
  inspect(file, prediction.model.name + ':' + prediction.model.version);
}

// --- inside the model ----------------------------------------------------------------------------

/** Saliency over the preview and every layer's activation maps, from the version that classified the image. */
async function inspect(file, version) {
  $('saliency').hidden = true;
  const response = await api(`/v1/models/${encodeURIComponent(version)}/inspect`, {
    method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
  if (!response.ok) {
    $('inside-error').textContent = 'Looking inside failed: ' + await problem(response);
    return;
  }
  const seen = await response.json();
  $('saliency').src = 'data:image/png;base64,' + seen.saliency;
  $('saliency').hidden = !$('show-saliency').checked;
  $('saliency-class').textContent = seen.class;
  $('activations-hint').textContent = `${seen.model.name} v${seen.model.version} on image ${file.name || 'uploaded'}:`;
  $('activations').replaceChildren(...seen.layers.map(layer => {
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = `layer ${layer.index}: ${layer.layer} → [${layer.shape.join(', ')}]`;
    const img = document.createElement('img');
    img.src = 'data:image/png;base64,' + layer.maps;
    img.alt = 'activation maps of layer ' + layer.index;
    figure.append(caption, img);
    return figure;
  }));
}

$('show-saliency').addEventListener('change', () => {
  $('saliency').hidden = !$('show-saliency').checked || !$('saliency').src;
});

/** The filters and the layer choice for the served version; called when the served version changes. */
async function showInside(version, layers) {
  $('inside-model').textContent = version;
  $('inside-error').textContent = '';
  await loadPicture($('filters'), `/v1/models/${encodeURIComponent(version)}/filters.png`, $('inside-error'));
  $('unit-layer').replaceChildren(...layers.map(layer => {
    const option = document.createElement('option');
    option.value = layer.index;
    option.textContent = `${layer.index}: ${layer.layer}`;
    return option;
  }));
}

$('units-form').addEventListener('submit', async event => {
  event.preventDefault();
  $('inside-error').textContent = '';
  const path = `/v1/models/${encodeURIComponent(servedVersion)}/layers/${$('unit-layer').value}/maximum-response.png`
    + `?units=${encodeURIComponent($('units').value.trim())}`;
  await loadPicture($('max-response'), path, $('inside-error'));
});

/**
 * The embedding as one bar per dimension, height proportional to its value: from the bottom when no
 * value is negative (an embedding taken after a ReLU), else around a middle line.
 */
function drawEmbedding(values) {
  const svg = $('embedding');
  const largest = Math.max(1e-9, ...values.map(Math.abs));
  const signed = values.some(value => value < 0);
  const zero = signed ? 30 : 60;
  const scale = signed ? 28 : 58;
  const width = 256 / values.length;
  svg.replaceChildren(...values.map((value, i) => {
    const bar = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    const height = scale * Math.abs(value) / largest;
    bar.setAttribute('x', i * width);
    bar.setAttribute('width', Math.max(width * 0.8, 0.5));
    bar.setAttribute('y', value >= 0 ? zero - height : zero);
    bar.setAttribute('height', height);
    return bar;
  }));
}

// --- live predictions ----------------------------------------------------------------------------

$('pause').addEventListener('click', () => {
  paused = !paused;
  $('pause').textContent = paused ? 'Resume' : 'Pause';
  if (!paused && missedWhilePaused > 0) {
    $('feed-status').textContent = `resumed; ${missedWhilePaused} predictions went by while paused`;
    missedWhilePaused = 0;
  }
});

/** Reads the server-sent events of /v1/predictions/stream (fetch, not EventSource, so the key travels in a header). */
async function followPredictions() {
  while (true) {
    try {
      const response = await api('/v1/predictions/stream?thumbnails=true');
      if (!response.ok) {
        throw new Error(await problem(response));
      }
      $('feed-status').textContent = 'live';
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      while (true) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffered += value;
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = event.split('\n').filter(line => line.startsWith('data: ')).map(line => line.slice(6)).join('\n');
          if (data) {
            showPrediction(JSON.parse(data));
          }
        }
      }
      $('feed-status').textContent = 'the stream ended; reconnecting…';
    } catch (e) {
      $('feed-status').textContent = 'the stream failed (' + e.message + '); reconnecting in 2 s…';
    }
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
}

function showPrediction(prediction) {
  if (paused) {
    missedWhilePaused++;
    $('feed-status').textContent = `paused; ${missedWhilePaused} predictions not shown`;
    return;
  }
  const best = prediction.top[0] || { label: '–', score: 0 };
  const row = document.createElement('tr');
  const thumb = document.createElement('td');
  thumb.className = 'thumb';
  if (prediction.thumbnail) {
    const img = document.createElement('img');
    img.src = prediction.thumbnail;
    img.alt = '';
    thumb.append(img);
  }
  const cells = [new Date(prediction.predictedAt).toLocaleTimeString(), prediction.id, best.label, percent(best.score),
    'v' + prediction.model.version, prediction.timings.batchSize];
  row.replaceChildren(...cells.map((text, i) => {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (i >= 3) {
      cell.className = 'num';
    }
    return cell;
  }));
  row.prepend(thumb);
  const rows = $('feed-rows');
  rows.prepend(row);
  while (rows.children.length > FEED_ROWS) {
    rows.lastChild.remove();
  }
}

// --- model versions ------------------------------------------------------------------------------

$('refresh-models').addEventListener('click', loadModels);

async function loadModels() {
  const response = await api('/v1/models');
  showModels(response.ok ? await response.json() : null, response.ok ? '' : await problem(response));
}

function showModels(list, error) {
  $('models-error').textContent = error;
  if (!list) {
    return;
  }
  const versions = list.models.slice().sort((a, b) => b.version - a.version);
  const served = versions.find(v => v.served);
  $('served').textContent = served ? `serving ${served.name} v${served.version}` : '';
  $('served-model').textContent = served ? describeModel(served) : '';
  const nowServed = served ? served.name + ':' + served.version : null;
  if (nowServed && nowServed !== servedVersion) {
    servedVersion = nowServed;
    layersOf(nowServed).then(layers => showInside(nowServed, layers));
  }
  $('model-rows').replaceChildren(...versions.map(v => {
    const row = document.createElement('tr');
    const metric = name => v.metrics[name] === undefined ? '–' : percent(v.metrics[name]);
    const cells = ['v' + v.version + (v.served ? ' (served)' : ''), v.parent ? 'v' + v.parent : '–', v.status,
      metric('heldOutAccuracy'), metric('promotedHeldOutAccuracy'), metric('testAccuracy'),
      liveAccuracy[v.version] === undefined ? '–' : percent(liveAccuracy[v.version]), v.samplesSeen];
    row.replaceChildren(...cells.map((text, i) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (i === 2) {
        cell.className = 'status-' + v.status;
      }
      return cell;
    }));
    const action = document.createElement('td');
    if (!v.served) {
      const promote = document.createElement('button');
      promote.type = 'button';
      promote.textContent = v.version < (served ? served.version : 0) ? 'Roll back to this' : 'Promote';
      promote.addEventListener('click', () => promoteVersion(v));
      action.append(promote);
    }
    row.append(action);
    return row;
  }));
}

// What a model takes and is made of: "my-photos v3 takes 224×224 RGB (centre-crop:0.875); 5 classes: …; made of conv ×20, …".
function describeModel(v) {
  const kind = v.input.channels === 3 ? 'RGB' : v.input.channels === 1 ? 'grey' : v.input.channels + ' channels';
  const operators = Object.entries(v.operators).map(([op, n]) => n > 1 ? `${op} ×${n}` : op).join(', ');
  return `${v.name} v${v.version} takes ${v.input.width}×${v.input.height} ${kind} (${v.input.resize}); `
    + `${v.classes.length} classes: ${v.classes.join(', ')}; made of ${operators}`;
}

async function promoteVersion(v) {
  const response = await api(`/v1/models/${encodeURIComponent(v.name + ':' + v.version)}/promote`, { method: 'POST' });
  if (!response.ok) {
    $('models-error').textContent = 'Promotion refused: ' + await problem(response);
    return;
  }
  $('models-error').textContent = '';
  setTimeout(loadModels, 1000);
}

/**
 * The layers of a version, from an inspect answer on a blank image of the model's size: the layer
 * list for the maximum-response form (layers whose output is channel maps).
 */
async function layersOf(version) {
  const blank = await blankPng(28, 28);
  const response = await api(`/v1/models/${encodeURIComponent(version)}/inspect`, {
    method: 'POST', headers: { 'Content-Type': 'image/png' }, body: blank });
  return response.ok ? (await response.json()).layers : [];
}

function blankPng(width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
}

// --- charts --------------------------------------------------------------------------------------

async function refreshStats() {
  const response = await api('/v1/stats');
  if (!response.ok) {
    $('charts-error').textContent = await problem(response);
    return;
  }
  $('charts-error').textContent = '';
  const stats = await response.json();
  const buckets = stats.predictions;
  const line = (field, name) => ({ name, points: buckets.filter(b => b[field] !== null).map(b => [b.start, b[field]]) });
  const from = buckets[0].start;
  const to = stats.now;
  drawChart($('chart-rate'), [line('imagesPerSecond', 'images/s')], from, to);
  drawChart($('chart-latency'), [line('latencyP50', 'p50'), line('latencyP90', 'p90'), line('latencyP99', 'p99')], from, to);
  drawChart($('chart-batch'), [line('meanBatch', 'batch')], from, to);
  const versions = {};
  stats.liveAccuracy.forEach(w => {
    (versions[w.version] = versions[w.version] || []).push([w.windowEnd, 100 * w.accuracy]);
    liveAccuracy[w.version] = w.accuracy;
  });
  const accuracy = Object.entries(versions).map(([version, points]) => ({ name: 'live v' + version, points }));
  accuracy.push({ name: 'training held-out', points: stats.training.map(r => [r.at, 100 * r.heldOutAccuracy]) });
  const times = accuracy.flatMap(s => s.points.map(p => p[0]));
  drawChart($('chart-accuracy'), accuracy, Math.min(from, ...times), to, 100);
  loadModels();
}

/** Lines over time in an SVG of 320×120: the largest value at the top-left, a legend at the bottom. */
function drawChart(svg, series, from, to, top) {
  const largest = top || Math.max(1e-9, ...series.flatMap(s => s.points.map(p => p[1])));
  const x = t => 30 + 285 * (t - from) / Math.max(1, to - from);
  const y = v => 100 - 90 * v / largest;
  const ns = 'http://www.w3.org/2000/svg';
  const text = (content, tx, ty) => {
    const element = document.createElementNS(ns, 'text');
    element.setAttribute('x', tx);
    element.setAttribute('y', ty);
    element.textContent = content;
    return element;
  };
  const children = [text(largest >= 10 ? largest.toFixed(0) : largest.toPrecision(2), 2, 14), text('0', 2, 100)];
  series.forEach((s, i) => {
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('class', 's' + (i % 7));
    line.setAttribute('points', s.points.map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' '));
    children.push(line);
    const legend = text(s.name, 30 + i * 70, 116);
    legend.setAttribute('class', 'legend s' + (i % 7));
    children.push(legend);
  });
  svg.replaceChildren(...children);
}

start();
