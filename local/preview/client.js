// The preview page: asks the server for renders, follows its change events, never reloads itself.
const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const state = {
  template: query.get('template'),
  dataSet: query.get('dataSet'),
  // The reader whose briefing is shown: their topic ids (none: every story).
  topics: (query.get('topics') ?? '').split(',').filter(Boolean),
  topicList: [],
  width: query.get('width') ?? '600',
  scheme: query.get('scheme') === 'dark' ? 'dark' : 'light',
  tab: query.get('tab') ?? 'email',
  templates: [],
  result: undefined,
};
let latestRequest = 0;

/** When the page last showed a new render (wall-clock ms, comparable with the time of a file save): for the browser test and the latency bench. */
window.previewTimings = { version: -1, at: 0, ok: false };

const element = (tag, text, attributes = {}) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
};

const getJson = async (url, init) => {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(body.error ?? response.statusText);
  return body;
};

const setStatus = (kind, text) => {
  $('status').dataset.state = kind;
  $('status').textContent = text;
};

const remember = () => {
  const params = new URLSearchParams({ template: state.template ?? '', dataSet: state.dataSet ?? '', topics: state.topics.join(','), width: state.width, scheme: state.scheme, tab: state.tab });
  history.replaceState(null, '', `?${params}`);
};

const currentTemplate = () => state.templates.find((template) => template.name === state.template);

const fillSelect = (select, options, selected) => {
  select.replaceChildren(...options.map(([value, label]) => element('option', label, { value })));
  select.value = selected;
};

const topicsText = () =>
  state.topics.length === 0 ? 'every story' : state.topics.map((id) => state.topicList.find((topic) => topic.id === id)?.label ?? id).join(', ');

const showTopics = () => {
  const usable = Boolean(currentTemplate()?.usesArticles);
  $('topics-picker').hidden = state.topicList.length === 0;
  $('topics').disabled = !usable;
  $('topics-picker').toggleAttribute('data-disabled', !usable);
  $('topics-summary').textContent = usable ? topicsText() : 'not used by this template';
};

const fillTopics = (topics) => {
  state.topicList = topics;
  // A topic the config no longer offers is no longer chosen.
  state.topics = state.topics.filter((id) => topics.some((topic) => topic.id === id));
  $('topic-boxes').replaceChildren(
    ...topics.map((topic) => {
      const box = element('input', undefined, { type: 'checkbox', value: topic.id, name: 'topic' });
      box.checked = state.topics.includes(topic.id);
      const label = element('label');
      label.append(box, topic.label);
      return label;
    }),
  );
};

const refreshState = async () => {
  const fresh = await getJson('/api/state');
  state.templates = fresh.templates;
  if (!fresh.templates.some((template) => template.name === state.template)) state.template = fresh.defaults.template;
  const before = state.dataSet;
  if (!fresh.dataSets.some((set) => set.id === state.dataSet)) {
    state.dataSet = fresh.dataSets.some((set) => set.id === fresh.defaults.dataSet) ? fresh.defaults.dataSet : fresh.dataSets[0]?.id;
  }
  fillSelect($('template'), fresh.templates.map((template) => [template.name, template.label]), state.template);
  fillSelect($('dataset'), fresh.dataSets.map((set) => [set.id, set.label]), state.dataSet);
  $('dataset').disabled = !currentTemplate()?.usesArticles;
  const topicsBefore = state.topics.join(',');
  if (JSON.stringify(fresh.topics) !== JSON.stringify(state.topicList)) fillTopics(fresh.topics);
  showTopics();
  $('files').replaceChildren(...(currentTemplate()?.files ?? []).map((file) => element('li', file)));
  remember();
  return before !== state.dataSet || topicsBefore !== state.topics.join(',');
};

// No browser gives a frame a colour scheme of its own, so dark is shown the way a mail client in dark mode
// shows it: the template's own prefers-color-scheme rules switched on (dark) or off (light).
const inScheme = (html) =>
  state.scheme === 'dark'
    ? html.replace(/\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi, '(min-width: 0px)').replace(/\(\s*prefers-color-scheme\s*:\s*light\s*\)/gi, '(max-width: 0px)')
    : html;

const writeFrame = (html) => {
  const frame = $('frame');
  const scrollY = frame.contentWindow.scrollY;
  const doc = frame.contentDocument;
  // Written in place rather than reloaded: the update shows at once and the reader keeps their scroll position.
  doc.open();
  doc.write(inScheme(html));
  doc.close();
  frame.contentWindow.scrollTo(0, scrollY);
};

const numbered = (pre, source) => pre.replaceChildren(...source.split('\n').map((line) => element('span', line)));

const showTabs = () => {
  const available = { email: true, text: state.result?.text !== undefined, mjml: state.result?.mjml !== undefined, html: true };
  if (!available[state.tab]) state.tab = 'email';
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.disabled = !available[button.dataset.tab];
    button.setAttribute('aria-selected', String(button.dataset.tab === state.tab));
  }
  for (const tab of ['email', 'text', 'mjml', 'html']) $(`panel-${tab}`).hidden = tab !== state.tab;
};

const showWidth = () => {
  $('frame-wrap').style.width = state.width === 'full' ? '100%' : `${state.width}px`;
  for (const button of document.querySelectorAll('[data-width]')) button.setAttribute('aria-pressed', String(button.dataset.width === state.width));
};

const showScheme = () => {
  for (const button of document.querySelectorAll('[data-scheme]')) button.setAttribute('aria-pressed', String(button.dataset.scheme === state.scheme));
};

const showProblems = (problems) => {
  const none = currentTemplate()?.usesArticles ? 'None' : 'This template uses no article records';
  $('problem-count').textContent = problems.length ? `(${problems.length})` : '';
  $('problems').replaceChildren(...(problems.length ? problems.map((problem) => element('li', problem)) : [element('li', none, { class: 'empty' })]));
};

const showError = (error) => {
  $('error').hidden = false;
  $('error-where').textContent = error.file ? `${error.file}${error.line ? `, line ${error.line}` : ''}` : '';
  $('error-message').textContent = error.message;
  const excerpt = $('error-excerpt');
  excerpt.hidden = !error.excerpt;
  if (error.excerpt) {
    excerpt.replaceChildren(
      element('span', `${error.excerpt.label}:`),
      ...error.excerpt.lines.map((line) =>
        element('span', `${String(line.number).padStart(5)} | ${line.text}`, line.number === error.excerpt.line ? { class: 'here' } : {}),
      ),
    );
  }
  $('frame').classList.add('stale');
};

const showResult = (result) => {
  showProblems(result.problems);
  if (!result.ok) {
    showError(result.error);
    setStatus('error', 'Render failed — waiting for a fix');
    return;
  }
  state.result = result;
  $('error').hidden = true;
  $('frame').classList.remove('stale');
  writeFrame(result.html);
  $('panel-text').textContent = result.text ?? '';
  numbered($('panel-mjml'), result.mjml ?? '');
  $('panel-html').textContent = result.html;
  $('subject').textContent = result.subject ?? '(a page has no subject)';
  $('subject').classList.toggle('empty', result.subject === undefined);
  const size = $('size');
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  size.dataset.level = result.size.level;
  size.classList.remove('empty');
  size.textContent =
    result.kind === 'page'
      ? `${kb(result.size.bytes)} of HTML`
      : result.size.level === 'ok'
      ? `${kb(result.size.bytes)} of HTML (Gmail clips at 102 KB)`
      : result.size.level === 'near'
        ? `${kb(result.size.bytes)} — close to Gmail's 102 KB clip`
        : `${kb(result.size.bytes)} — over Gmail's 102 KB clip: Gmail hides the rest`;
  $('link-count').textContent = `(${result.links.length})`;
  $('links').replaceChildren(
    ...result.links.map((link) => {
      const item = element('li');
      item.append(element('span', link.text || '(no text)', { class: 'text' }), element('a', link.href, { href: link.href, target: '_blank', rel: 'noopener noreferrer' }));
      return item;
    }),
  );
  $('send').hidden = result.kind !== 'email';
  showTabs();
  setStatus('ok', `Updated ${new Date().toLocaleTimeString()} · rendered in ${Math.round(result.renderMs)} ms`);
};

const render = async () => {
  const request = ++latestRequest;
  remember();
  let result;
  try {
    result = await getJson(`/api/render?${new URLSearchParams({ template: state.template, dataSet: state.dataSet ?? '', topics: state.topics.join(',') })}`);
  } catch (error) {
    if (request === latestRequest) setStatus('offline', `Preview server not answering: ${error.message}`);
    return;
  }
  // An older answer arriving after a newer request would show a stale version.
  if (request !== latestRequest) return;
  showResult(result);
  requestAnimationFrame(() => {
    window.previewTimings = { version: result.version, at: Date.now(), ok: result.ok };
    document.body.dataset.version = String(result.version);
  });
};

$('template').addEventListener('change', async (event) => {
  state.template = event.target.value;
  await refreshState();
  await render();
});
$('dataset').addEventListener('change', (event) => {
  state.dataSet = event.target.value;
  void render();
});
$('topics').addEventListener('change', () => {
  state.topics = [...document.querySelectorAll('#topic-boxes input:checked')].map((box) => box.value);
  showTopics();
  void render();
});
for (const button of document.querySelectorAll('[data-width]')) {
  button.addEventListener('click', () => {
    state.width = button.dataset.width;
    showWidth();
    remember();
  });
}
for (const button of document.querySelectorAll('[data-scheme]')) {
  button.addEventListener('click', () => {
    state.scheme = button.dataset.scheme;
    showScheme();
    remember();
    if (state.result) writeFrame(state.result.html);
  });
}
for (const button of document.querySelectorAll('[data-tab]')) {
  button.addEventListener('click', () => {
    state.tab = button.dataset.tab;
    showTabs();
    remember();
  });
}

$('send-to').value = localStorage.getItem('briefing-preview-test-address') ?? '';
$('send-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const to = $('send-to').value;
  const out = $('send-result');
  localStorage.setItem('briefing-preview-test-address', to);
  out.dataset.state = 'sending';
  out.textContent = 'Sending…';
  $('send-button').disabled = true;
  try {
    const sent = await getJson('/api/send-test', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ template: state.template, dataSet: state.dataSet, topics: state.topics, to }),
    });
    out.dataset.state = 'sent';
    out.replaceChildren(
      `Sent to ${to}. Message id `,
      element('code', sent.messageId, { id: 'sent-message-id' }),
      ' · ',
      element('a', 'open the local inbox', { href: sent.inboxUrl, target: '_blank', rel: 'noopener' }),
    );
  } catch (error) {
    out.dataset.state = 'error';
    out.textContent = `Not sent: ${error.message}`;
  } finally {
    $('send-button').disabled = false;
  }
});

const events = new EventSource('/api/events');
let connectedBefore = false;
events.addEventListener('hello', async () => {
  // After a reconnect, changes made while disconnected were never announced.
  if (connectedBefore) {
    await refreshState();
    await render();
  }
  connectedBefore = true;
});
events.addEventListener('change', async (event) => {
  const change = JSON.parse(event.data);
  const rendering = change.templates.includes(state.template) ? render() : undefined;
  // A sample file may have appeared or gone: the picker follows, and a vanished data set gives way to the default.
  const dataSetChanged = await refreshState().catch(() => false);
  await rendering;
  if (dataSetChanged) await render();
});
events.addEventListener('error', () => setStatus('offline', 'Preview server stopped — reconnecting…'));

showWidth();
showScheme();
showTabs();
await refreshState();
await render();
