// The fake Odoo must behave as docs/odoo-pos-rpc.md says real Odoo does, so
// that the POS code tested against it holds against a real server. Plain fetch, as a client would.

import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOdoo, type FakeOdoo, type FakeOdooOptions } from '../fixtures/fake-odoo/server.js';

type Json = Record<string, unknown>;
interface RpcReply {
  status: number;
  headers: Headers;
  body: { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data: Json } };
}

const running: FakeOdoo[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

async function start(options: FakeOdooOptions = {}): Promise<FakeOdoo> {
  const fake = await startFakeOdoo(options);
  running.push(fake);
  return fake;
}

async function post(fake: FakeOdoo, path: string, params: unknown, headers: Record<string, string> = {}, id: unknown = 1): Promise<RpcReply> {
  const response = await fetch(fake.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as RpcReply['body'] };
}

/** object.execute_kw on /jsonrpc as the admin (password by default). */
function execute(fake: FakeOdoo, model: string, method: string, args: unknown[], kwargs: Json = {}, secret = fake.admin.password, uid = fake.admin.uid) {
  return post(fake, '/jsonrpc', { service: 'object', method: 'execute_kw', args: [fake.db, uid, secret, model, method, args, kwargs] });
}

async function result<T = unknown>(reply: Promise<RpcReply>): Promise<T> {
  const { body } = await reply;
  if (body.error) throw new Error(`unexpected RPC error: ${JSON.stringify(body.error.data)}`);
  return body.result as T;
}

async function rpcError(reply: Promise<RpcReply>): Promise<NonNullable<RpcReply['body']['error']>> {
  const { body, status } = await reply;
  expect(status).toBe(200);
  expect(body.result).toBeUndefined();
  if (!body.error) throw new Error(`expected an RPC error, got ${JSON.stringify(body.result)}`);
  return body.error;
}

/** The Odoo 17 error object, field by field: code 200, "Odoo Server Error", data {name, debug, message, arguments, context}. */
function expectOdooError(error: NonNullable<RpcReply['body']['error']>, name: string, message: string | RegExp) {
  expect(error.code).toBe(200);
  expect(error.message).toBe('Odoo Server Error');
  expect(Object.keys(error.data).sort()).toEqual(['arguments', 'context', 'debug', 'message', 'name']);
  expect(error.data.name).toBe(name);
  if (typeof message === 'string') expect(error.data.message).toBe(message);
  else expect(error.data.message).toMatch(message);
  expect(error.data.context).toEqual({});
  expect(typeof error.data.debug).toBe('string');
  expect(Array.isArray(error.data.arguments)).toBe(true);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The order pushed to a real 17.0 (docs/odoo-pos-rpc.md, "Seen on a real Odoo 17.0"), for a given session / login number / sequence. */
function order17(sessionId: number, login: number, sequence: number, data: Json = {}) {
  const uid = `${pad(sessionId, 5)}-${pad(login, 3)}-${pad(sequence, 4)}`;
  return {
    id: uid,
    data: {
      name: `Order ${uid}`,
      amount_paid: 2.76,
      amount_total: 2.76,
      amount_tax: 0.36,
      amount_return: 0,
      lines: [
        [0, 0, { uuid: `line-${uid}`, skip_change: false, custom_attribute_value_ids: [], qty: 2, price_unit: 1.2, price_subtotal: 2.4, price_subtotal_incl: 2.76, discount: 0, product_id: 5, tax_ids: [[6, false, [1]]], id: 1, pack_lot_ids: [], attribute_value_ids: [], full_product_name: 'Whiteboard Pen', price_extra: 0, customer_note: '', price_type: 'original', combo_line_ids: [] }],
      ],
      statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 1, amount: 2.76, payment_status: '', can_be_reversed: false, ticket: '', card_type: '', cardholder_name: '' }]],
      pos_session_id: sessionId,
      pricelist_id: false,
      partner_id: false,
      user_id: 2,
      uid,
      sequence_number: sequence,
      date_order: '2026-11-21 04:26:40',
      fiscal_position_id: false,
      server_id: false,
      to_invoice: false,
      shipping_date: false,
      is_tipped: false,
      tip_amount: 0,
      access_token: '2e60fcd3-d460-4eab-9503-b279b1e3b055',
      last_order_preparation_change: '{}',
      ticket_code: '',
      ...data,
    },
    to_invoice: false,
  };
}

/** Open the demo config's session as was done on a real 17.0 (docs/odoo-pos-rpc.md): open_ui, set_cashbox_pos, login. */
async function openSession17(fake: FakeOdoo): Promise<number> {
  await result(execute(fake, 'pos.config', 'open_ui', [[1]]));
  const [config] = await result<Json[]>(execute(fake, 'pos.config', 'search_read', [[['id', '=', 1]], ['current_session_id']]));
  const sessionId = (config!.current_session_id as [number, string])[0];
  await post(fake, '/jsonrpc', { service: 'object', method: 'execute_kw', args: [fake.db, 2, 'admin', 'pos.session', 'set_cashbox_pos', [[sessionId], 0, ''], {}] });
  await result(execute(fake, 'pos.session', 'login', [[sessionId]]));
  return sessionId;
}

const push = (fake: FakeOdoo, orders: unknown[], draft = false) => execute(fake, 'pos.order', 'create_from_ui', [orders, draft]);

describe('version and authentication', () => {
  it('answers version_info and common.version with exp_version() for 16, 17 and 18', async () => {
    for (const [version, major] of [['16.0', 16], ['17.0', 17], ['18.0', 18]] as const) {
      const fake = await start({ version });
      const expected = { server_version: version, server_version_info: [major, 0, 0, 'final', 0, ''], server_serie: version, protocol_version: 1 };
      expect(await result(post(fake, '/web/webclient/version_info', {}))).toEqual(expected);
      expect(await result(post(fake, '/jsonrpc', { service: 'common', method: 'version', args: [] }))).toEqual(expected);
    }
  });

  it('common.login / authenticate take the password or an API key and answer false otherwise', async () => {
    const fake = await start();
    const login = (secret: string) => result(post(fake, '/jsonrpc', { service: 'common', method: 'login', args: [fake.db, 'admin', secret] }));
    expect(await login('admin')).toBe(2);
    expect(fake.admin.apiKey).toMatch(/^[0-9a-f]{40}$/);
    expect(await login(fake.admin.apiKey)).toBe(2);
    expect(await login('wrong')).toBe(false);
    expect(await result(post(fake, '/jsonrpc', { service: 'common', method: 'authenticate', args: [fake.db, 'admin', fake.admin.apiKey, {}] }))).toBe(2);
    expect(await result(post(fake, '/jsonrpc', { service: 'common', method: 'authenticate', args: [fake.db, 'nobody', 'admin', {}] }))).toBe(false);
    const wrongDb = await rpcError(post(fake, '/jsonrpc', { service: 'common', method: 'login', args: ['nope', 'admin', 'admin'] }));
    expectOdooError(wrongDb, 'psycopg2.OperationalError', /database "nope" does not exist/);
  });

  it('execute_kw runs with the password or an API key; a wrong one is AccessDenied in Odoo’s error shape', async () => {
    const fake = await start();
    const configs = await result<Json[]>(execute(fake, 'pos.config', 'search_read', [[], ['name', 'current_session_id', 'current_session_state', 'cash_control']], {}, fake.admin.apiKey));
    // the demo config seen on a real 17.0
    expect(configs).toEqual([{ id: 1, name: 'Shop', current_session_id: false, current_session_state: false, cash_control: true }]);
    const reply = await execute(fake, 'pos.config', 'search_read', [[], ['name']], {}, 'wrong');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body.jsonrpc).toBe('2.0');
    expect(reply.body.id).toBe(1);
    expect('result' in reply.body).toBe(false);
    expectOdooError(reply.body.error!, 'odoo.exceptions.AccessDenied', 'Access Denied');
    expect(reply.body.error!.data.arguments).toEqual(['Access Denied']);
    // an API key of another user does not authenticate this uid
    const demoKey = fake.users.find((u) => u.login === 'demo')!.apiKeys[0]!;
    expectOdooError(await rpcError(execute(fake, 'pos.config', 'search_read', [[], ['name']], {}, demoKey)), 'odoo.exceptions.AccessDenied', 'Access Denied');
  });

  it('/web/session/authenticate takes the password only, sets session_id, and call_kw needs that cookie', async () => {
    const fake = await start();
    const viaKey = await rpcError(post(fake, '/web/session/authenticate', { db: fake.db, login: 'admin', password: fake.admin.apiKey }));
    expectOdooError(viaKey, 'odoo.exceptions.AccessDenied', 'Access Denied');
    expectOdooError(await rpcError(post(fake, '/web/session/authenticate', { db: 'other', login: 'admin', password: 'admin' })), 'odoo.exceptions.AccessError', 'Database not found.');

    const ok = await post(fake, '/web/session/authenticate', { db: fake.db, login: 'admin', password: 'admin' });
    expect((ok.body.result as Json).uid).toBe(2);
    expect((ok.body.result as Json).server_version_info).toEqual([17, 0, 0, 'final', 0, '']);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^session_id=[0-9a-f]{40}; .*HttpOnly; Path=\//);
    const sessionCookie = cookie.split(';')[0]!;

    const params = { model: 'pos.config', method: 'search_read', args: [[], ['name']], kwargs: {} };
    expect(await result(post(fake, '/web/dataset/call_kw/pos.config/search_read', params, { Cookie: sessionCookie }))).toEqual([{ id: 1, name: 'Shop' }]);
    const expired = await rpcError(post(fake, '/web/dataset/call_kw/pos.config/search_read', params));
    expect(expired.code).toBe(100);
    expect(expired.message).toBe('Odoo Session Expired');
    expect(expired.data.name).toBe('odoo.http.SessionExpiredException');
    expect(expired.data.message).toBe('Session expired');
  });

  it('refuses POS models to a user outside the POS group, private methods, unknown methods and models', async () => {
    const fake = await start();
    const denied = await rpcError(execute(fake, 'pos.order', 'search_read', [[], ['id']], {}, 'accountant', 7));
    expectOdooError(denied, 'odoo.exceptions.AccessError', /^You are not allowed to access 'Point of Sale Orders' \(pos\.order\) records\./);
    expectOdooError(await rpcError(execute(fake, 'pos.order', '_process_order', [])), 'odoo.exceptions.AccessError', 'Private methods (such as _process_order) cannot be called remotely.');
    expectOdooError(await rpcError(execute(fake, 'pos.order', 'sync_from_ui', [[]])), 'builtins.AttributeError', "The method 'sync_from_ui' does not exist on the model 'pos.order'");
    expectOdooError(await rpcError(execute(fake, 'no.such.model', 'search_read', [[]])), 'odoo.exceptions.UserError', "Object no.such.model doesn't exist");
  });
});

describe('17: session lifecycle and load_pos_data', () => {
  it('open_ui creates POS/00003 in opening_control under cash control; set_cashbox_pos opens it and answers without a result key; login counts', async () => {
    const fake = await start();
    expect(await result(execute(fake, 'pos.config', 'open_ui', [[1]]))).toEqual({ type: 'ir.actions.act_url', url: '/pos/ui?config_id=1', target: 'self' });
    const [session] = await result<Json[]>(execute(fake, 'pos.session', 'search_read', [[['state', '!=', 'closed']], ['name', 'state', 'rescue']]));
    expect(session).toEqual({ id: 3, name: 'POS/00003', state: 'opening_control', rescue: false });
    const opening = await execute(fake, 'pos.session', 'set_cashbox_pos', [[3], 0, 'notes']);
    expect(opening.body).toEqual({ jsonrpc: '2.0', id: 1 });
    expect(fake.sessions().find((s) => s.id === 3)!.state).toBe('opened');
    expect(await result(execute(fake, 'pos.session', 'login', [[3]]))).toBe(1);
    expect(await result(execute(fake, 'pos.session', 'login', [[3]]))).toBe(2);
    // open_ui again reuses the session; a second one for the config is refused
    await result(execute(fake, 'pos.config', 'open_ui', [[1]]));
    expect(fake.sessions().filter((s) => s.state !== 'closed')).toHaveLength(1);
    expectOdooError(await rpcError(execute(fake, 'pos.session', 'create', [{ config_id: 1 }])), 'odoo.exceptions.ValidationError', 'Another session is already opened for this point of sale.');
  });

  it('without cash control a new 17 session is opened at once', async () => {
    const fake = await start({ configs: [{ cashControl: false }] });
    const id = await result<number>(execute(fake, 'pos.session', 'create', [{ config_id: 1, user_id: 2 }]));
    expect(fake.sessions().find((s) => s.id === id)!.state).toBe('opened');
  });

  it('load_pos_data returns the 35 observed keys with singleton dicts, lists and the extra keys', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const data = await result<Json>(execute(fake, 'pos.session', 'load_pos_data', [[sessionId]]));
    expect(Object.keys(data).sort()).toEqual(
      'account.cash.rounding, account.fiscal.position, account.tax, attributes_by_ptal_id, base_url, decimal.precision, open_orders, partner_commercial_fields, pos.bill, pos.category, pos.combo, pos.combo.line, pos.config, pos.payment.method, pos.printer, pos.session, pos_has_valid_product, pos_special_products_ids, product.packaging, product.pricelist, product.product, res.company, res.country, res.country.state, res.currency, res.lang, res.partner, res.users, show_category_images, show_product_images, stock.picking.type, taxes_by_id, units_by_id, uom.uom, version'
        .split(', ')
        .sort(),
    );
    for (const single of ['res.company', 'pos.session', 'pos.config', 'stock.picking.type', 'res.users', 'res.currency']) expect(Array.isArray(data[single]), single).toBe(false);
    for (const list of ['product.product', 'res.partner', 'account.tax', 'pos.payment.method', 'pos.category', 'account.fiscal.position']) expect(Array.isArray(data[list]), list).toBe(true);
    expect(data['pos.session']).toMatchObject({ id: sessionId, name: 'POS/00003', state: 'opened', config_id: [1, 'Shop (Mitchell Admin)'], user_id: [2, 'Mitchell Admin'] });
    expect(Object.keys(data['pos.session'] as Json).sort()).toEqual(['access_token', 'cash_register_balance_start', 'config_id', 'id', 'name', 'payment_method_ids', 'sequence_number', 'start_at', 'state', 'stop_at', 'update_stock_at_closing', 'user_id']);
    expect(data['pos.config']).toMatchObject({ id: 1, name: 'Shop', use_proxy: false, has_cash_move_permission: true });
    expect(data['res.users']).toEqual({ id: 2, name: 'Mitchell Admin', partner_id: [3, 'Mitchell Admin'], role: 'manager' });
    expect(data['res.currency']).toMatchObject({ name: 'USD', rounding: 0.01 });
    expect(data['decimal.precision']).toMatchObject({ 'Product Price': 2, 'Product Unit of Measure': 3 });
    expect((data['product.product'] as Json[]).length).toBe(39);
    const product = (data['product.product'] as Json[])[0]!;
    // image_128 is only whether there is a picture (_process_pos_ui_product_product); product 1 has one, 2 none.
    expect(product).toMatchObject({ id: 1, image_128: true, categ: { id: 2, name: 'Saleable', parent_id: [1, 'All'] }, uom_id: [1, 'Units'] });
    expect((data['product.product'] as Json[])[1]).toMatchObject({ id: 2, image_128: false });
    expect((data['pos.category'] as Json[])[0]).toEqual({ id: 1, name: expect.any(String), parent_id: false, child_id: [], write_date: expect.any(String), has_image: true });
    expect(Object.keys(data.taxes_by_id as Json)).toEqual(['1', '2', '3']);
    expect((data['account.tax'] as Json[])[0]).toMatchObject({ id: 1, amount: 15, sum_repartition_factor: 1, children_tax_ids: [] });
    // inactive payment methods are loaded too
    const methods = data['pos.payment.method'] as Json[];
    expect(methods.map((m) => [m.id, m.name, m.active])).toEqual([[1, 'Cash', true], [2, 'Bank', true], [3, 'Customer Account', true], [4, 'Old Card Terminal', false]]);
    expect(methods[0]).toMatchObject({ is_cash_count: true });
    expect(methods[2]).toMatchObject({ split_transactions: true });
    expect((data['account.fiscal.position'] as Json[])[0]!.fiscal_position_taxes_by_id).toBeTruthy();
    expect('default_pricelist' in data).toBe(false);
    expect(data.version).toMatchObject({ server_version_info: [17, 0, 0, 'final', 0, ''] });
    expect(data.base_url).toBe(fake.url);
    expect(data.open_orders).toEqual([]);
  });

  it('limited loading gives the first limited_products_amount products; the rest come from get_pos_ui_product_product_by_params', async () => {
    const fake = await start({ data: { products: 250, partners: 150 }, configs: [{ limitedProductsAmount: 100 }] });
    const sessionId = await openSession17(fake);
    const data = await result<Json>(execute(fake, 'pos.session', 'load_pos_data', [[sessionId]]));
    expect((data['product.product'] as Json[]).length).toBe(100);
    expect((data['res.partner'] as Json[]).length).toBe(100);
    const page = await result<Json[]>(execute(fake, 'pos.session', 'get_pos_ui_product_product_by_params', [[sessionId], { offset: 100, limit: 100 }]));
    expect(page.map((p) => p.id)).toEqual(Array.from({ length: 100 }, (_, i) => 101 + i));
    expect(page[0]!.categ).toBeTruthy();
  });

  it('serves the default barcode nomenclature through the company, and pos_hr employees with sha1 pins', async () => {
    const fake = await start({ configs: [{ posHr: true }] });
    const sessionId = await openSession17(fake);
    const data = await result<Json>(execute(fake, 'pos.session', 'load_pos_data', [[sessionId]]));
    expect((data['res.company'] as Json).nomenclature_id).toEqual([1, 'Default Nomenclature']);
    const rules = await result<Json[]>(execute(fake, 'barcode.rule', 'search_read', [[['barcode_nomenclature_id', '=', 1]], ['name', 'type', 'pattern']]));
    expect(rules).toContainEqual({ id: 5, name: 'Weight Barcodes 3 Decimals', type: 'weight', pattern: '21.....{NNDDD}' });
    expect(rules).toContainEqual({ id: 4, name: 'Price Barcodes 2 Decimals', type: 'price', pattern: '23.....{NNNDD}' });
    const employees = data['hr.employee'] as Json[];
    expect(employees.map((e) => [e.name, e.role])).toEqual([['Mitchell Admin', 'manager'], ['Marc Demo', 'cashier'], ['Pieter Cashier', 'cashier']]);
    expect(employees[0]!.pin).toBe('7110eda4d09e062aa5e4a390b0a572ac0d2c0220'); // sha1('1234')
    // the clear pin never leaves the server
    const read = await result<Json[]>(execute(fake, 'hr.employee', 'search_read', [[], []]));
    expect(read.every((e) => !('pin' in e))).toBe(true);
  });

  it('open_orders exports the session drafts; a draft whose name lacks 14 [0-9-] breaks load_pos_data', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    await result(push(fake, [order17(sessionId, 1, 1)], true));
    const data = await result<Json>(execute(fake, 'pos.session', 'load_pos_data', [[sessionId]]));
    expect(data.open_orders).toEqual([expect.objectContaining({ name: 'Order 00003-001-0001', uid: '00003-001-0001', state: 'draft' })]);
    await result(push(fake, [order17(sessionId, 1, 2, { name: 'Table 4' })], true));
    expectOdooError(await rpcError(execute(fake, 'pos.session', 'load_pos_data', [[sessionId]])), 'builtins.AttributeError', "'NoneType' object has no attribute 'group'");
  });

  it('close_session_from_ui refuses while drafts exist, then closes', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const [draft] = await result<Json[]>(push(fake, [order17(sessionId, 1, 1)], true));
    const refused = await result<Json>(execute(fake, 'pos.session', 'close_session_from_ui', [[sessionId]]));
    expect(refused).toEqual({ successful: false, message: 'You cannot close the POS when orders are still in draft', redirect: false, open_order_ids: [draft!.id] });
    await result(push(fake, [order17(sessionId, 1, 1)]));
    expect(await result(execute(fake, 'pos.session', 'close_session_from_ui', [[sessionId], []]))).toEqual({ successful: true });
    expect(fake.sessions().find((s) => s.id === sessionId)!.state).toBe('closed');
    const again = await result<Json>(execute(fake, 'pos.session', 'close_session_from_ui', [[sessionId]]));
    expect(again).toMatchObject({ successful: false, title: 'Session already closed', redirect: true });
  });
});

describe('17: create_from_ui', () => {
  it('stores the order seen on a real 17.0 (paid, Shop/0001, tracking 301) and answers [{id, pos_reference, account_move}]; the same payload again answers []', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const order = order17(sessionId, 1, 1);
    expect(await result(push(fake, [order]))).toEqual([{ id: 1, pos_reference: 'Order 00003-001-0001', account_move: false }]);
    expect(await result(push(fake, [order]))).toEqual([]);
    expect(fake.orders()).toHaveLength(1);
    expect(fake.orders()[0]).toMatchObject({ name: 'Shop/0001', state: 'paid', amount_total: 2.76, amount_paid: 2.76, session_id: 3, tracking_number: '301' });
    expect(fake.serverLog()).toContain('INFO: PoS order Order 00003-001-0001 already exists and is the same as the one sent by the PoS');
    // the stored order as seen on a real 17.0, read back the way the POS checks the server before resending
    const [stored] = await result<Json[]>(execute(fake, 'pos.order', 'search_read', [[['pos_reference', '=', 'Order 00003-001-0001']], ['name', 'pos_reference', 'amount_total', 'amount_tax', 'amount_paid', 'state', 'session_id', 'config_id', 'tracking_number']]));
    expect(stored).toEqual({ id: 1, name: 'Shop/0001', pos_reference: 'Order 00003-001-0001', amount_total: 2.76, amount_tax: 0.36, amount_paid: 2.76, state: 'paid', session_id: [3, 'POS/00003'], config_id: [1, 'Shop (Mitchell Admin)'], tracking_number: '301' });
    const [flat] = await result<Json[]>(execute(fake, 'pos.order', 'search_read', [[['pos_reference', '=', 'Order 00003-001-0001']], ['session_id']], { load: false }));
    expect(flat).toEqual({ id: 1, session_id: 3 });
  });

  it('the minimal payload is accepted and deduped too', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const minimal = {
      data: {
        name: 'Order 00003-001-0009', pos_session_id: sessionId, user_id: 2, sequence_number: 9, date_order: '2026-11-21T04:26:40.123Z', partner_id: false, fiscal_position_id: false,
        amount_total: 2.76, amount_tax: 0.36, amount_paid: 2.76, amount_return: 0,
        lines: [[0, 0, { product_id: 5, qty: 2, price_unit: 1.2, price_subtotal: 2.4, price_subtotal_incl: 2.76, tax_ids: [[6, false, [1]]] }]],
        statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 1, amount: 2.76 }]],
      },
    };
    expect(await result<Json[]>(push(fake, [minimal]))).toHaveLength(1);
    expect(await result(push(fake, [minimal]))).toEqual([]);
    expect(fake.orders()[0]).toMatchObject({ state: 'paid' });
    const [stored] = await result<Json[]>(execute(fake, 'pos.order', 'read', [[1], ['date_order']]));
    expect(stored!.date_order).toBe('2026-11-21 04:26:40');
  });

  it('E1: the same name with another content is a second order; E2: the same content under a new name is new', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    await result(push(fake, [order17(sessionId, 1, 1)]));
    const different = order17(sessionId, 1, 1, {
      amount_paid: 4.14, amount_total: 4.14, amount_tax: 0.54,
      lines: [[0, 0, { qty: 3, price_unit: 1.2, price_subtotal: 3.6, price_subtotal_incl: 4.14, product_id: 5, tax_ids: [[6, false, [1]]] }]],
      statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 1, amount: 4.14 }]],
    });
    expect(await result<Json[]>(push(fake, [different]))).toEqual([{ id: 2, pos_reference: 'Order 00003-001-0001', account_move: false }]);
    expect(await result<Json[]>(push(fake, [order17(sessionId, 1, 2)]))).toEqual([{ id: 3, pos_reference: 'Order 00003-001-0002', account_move: false }]);
    expect(fake.orders().filter((o) => o.pos_reference === 'Order 00003-001-0001')).toHaveLength(2);
  });

  it('qty alone is not compared: the same payments, lines and prices with another qty are taken as the same order', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    await result(push(fake, [order17(sessionId, 1, 1)]));
    const otherQty = order17(sessionId, 1, 1);
    (otherQty.data.lines[0]![2] as Json).qty = 7;
    expect(await result(push(fake, [otherQty]))).toEqual([]);
  });

  it('E3: a draft is updated in place by name, finalised by draft=False, then deduped', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const order = order17(sessionId, 1, 1);
    const [first] = await result<Json[]>(push(fake, [order], true));
    expect(fake.orders()[0]).toMatchObject({ id: first!.id, name: '/', state: 'draft' });
    expect(await result(push(fake, [order], true))).toEqual([first]);
    expect(fake.orders()).toHaveLength(1);
    expect(fake.orders()[0]!.lines).toHaveLength(1);
    expect(fake.orders()[0]!.payments).toHaveLength(1);
    expect(await result(push(fake, [order]))).toEqual([first]);
    expect(fake.orders()[0]).toMatchObject({ state: 'paid', name: 'Shop/0001' });
    expect(await result(push(fake, [order]))).toEqual([]);
  });

  it('a truthy server_id looks only for that draft: none and draft=True skips; a draft with that id is updated and renamed', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    expect(await result(push(fake, [order17(sessionId, 1, 1, { server_id: 999 })], true))).toEqual([]);
    const [draft] = await result<Json[]>(push(fake, [order17(sessionId, 1, 2)], true));
    const renamed = order17(sessionId, 1, 3, { server_id: draft!.id });
    expect(await result(push(fake, [renamed]))).toEqual([{ id: draft!.id, pos_reference: 'Order 00003-001-0003', account_move: false }]);
    expect(fake.orders()).toHaveLength(1);
    const byOldName = await result<Json[]>(execute(fake, 'pos.order', 'search_read', [[['pos_reference', '=', 'Order 00003-001-0002']], ['id']]));
    expect(byOldName).toEqual([]);
  });

  it('E4: an underpaid or overpaid order comes back with its id but stays draft, and Odoo only logs it', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const underpaid = order17(sessionId, 1, 1, { amount_paid: 1, statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 1, amount: 1 }]] });
    expect(await result(push(fake, [underpaid]))).toEqual([{ id: 1, pos_reference: 'Order 00003-001-0001', account_move: false }]);
    expect(fake.orders()[0]).toMatchObject({ state: 'draft', name: '/', amount_paid: 1 });
    expect(fake.serverLog()).toContain('ERROR: Could not fully process the POS Order: Order / is not fully paid.');
    // a client total one cent off is enough
    const centOff = order17(sessionId, 1, 2, { amount_total: 2.77 });
    await result(push(fake, [centOff]));
    expect(fake.orders()[1]).toMatchObject({ state: 'draft' });
    // paying more without declaring the change is not "paid" either
    const overpaid = order17(sessionId, 1, 3, { amount_paid: 5, statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 1, amount: 5 }]] });
    await result(push(fake, [overpaid]));
    expect(fake.orders()[2]).toMatchObject({ state: 'draft' });
  });

  it('change: amount_return adds a negative is_change cash payment, the order is paid, and a re-push is deduped', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const withChange = order17(sessionId, 1, 1, { amount_paid: 5, amount_return: 2.24, statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 1, amount: 5 }]] });
    await result(push(fake, [withChange]));
    const [stored] = fake.orders();
    expect(stored).toMatchObject({ state: 'paid', amount_paid: 2.76 });
    expect(stored!.payments.map((p) => [p.amount, p.payment_method_id, p.is_change])).toEqual([[5, 1, false], [-2.24, 1, true]]);
    expect(await result(push(fake, [withChange]))).toEqual([]);
  });

  it('change needs a cash method in the config: otherwise a UserError and nothing is stored', async () => {
    const fake = await start({ configs: [{ paymentMethodIds: [2, 3] }] });
    const sessionId = await openSession17(fake);
    const change = order17(sessionId, 1, 1, { amount_paid: 5, amount_return: 2.24, statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 2, amount: 5 }]] });
    expectOdooError(await rpcError(push(fake, [change])), 'odoo.exceptions.UserError', 'No cash statement found for this session. Unable to record returned cash.');
    expect(fake.orders()).toEqual([]);
  });

  it('E5: an unknown pos_session_id is a MissingError', async () => {
    const fake = await start();
    await openSession17(fake);
    const error = await rpcError(push(fake, [order17(99999, 1, 1)]));
    expectOdooError(error, 'odoo.exceptions.MissingError', 'Record does not exist or has been deleted.\n(Record: pos.session(99999,), User: 2)');
  });

  it('E6: a batch [duplicate, new] answers only the new order', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    await result(push(fake, [order17(sessionId, 1, 1)]));
    expect(await result(push(fake, [order17(sessionId, 1, 1), order17(sessionId, 1, 2)]))).toEqual([{ id: 2, pos_reference: 'Order 00003-001-0002', account_move: false }]);
  });

  it('a failing order rolls the whole batch back (KeyError for a missing date_order), and the retry succeeds', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    const good = order17(sessionId, 1, 1);
    const bad = order17(sessionId, 1, 2);
    delete (bad.data as Json).date_order;
    const error = await rpcError(push(fake, [good, bad]));
    expectOdooError(error, 'builtins.KeyError', "'date_order'");
    expect(error.data.arguments).toEqual(['date_order']);
    expect(fake.orders()).toEqual([]);
    expect(await result<Json[]>(execute(fake, 'pos.order', 'search_read', [[['pos_reference', '=', 'Order 00003-001-0001']], ['id']]))).toEqual([]);
    expect(await result<Json[]>(push(fake, [good]))).toHaveLength(1);
    // ids are sequences: the rolled-back call leaves a gap, as in PostgreSQL
    expect(fake.orders()[0]!.id).toBeGreaterThan(1);
  });

  it('a rolled-back batch also undoes draft updates and the rescue session it created', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    await result(push(fake, [order17(sessionId, 1, 1)], true));
    fake.closeSession(sessionId);
    const paidDraft = order17(sessionId, 1, 1);
    const unknownProduct = order17(sessionId, 1, 2, { lines: [[0, 0, { product_id: 123456, qty: 1, price_unit: 1, price_subtotal: 1, price_subtotal_incl: 1 }]] });
    expectOdooError(await rpcError(push(fake, [paidDraft, unknownProduct])), 'psycopg2.errors.ForeignKeyViolation', /pos_order_line_product_id_fkey/);
    expect(fake.orders()).toEqual([expect.objectContaining({ state: 'draft', session_id: sessionId, name: '/' })]);
    expect(fake.sessions().some((s) => s.rescue)).toBe(false);
  });

  it('to_invoice needs a partner (UserError); with one the order is invoiced and account_move is returned', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    expectOdooError(await rpcError(push(fake, [order17(sessionId, 1, 1, { to_invoice: true })])), 'odoo.exceptions.UserError', 'Please provide a partner for the sale.');
    const [invoiced] = await result<Json[]>(push(fake, [order17(sessionId, 1, 2, { to_invoice: true, partner_id: 8 })]));
    expect(invoiced!.account_move).toEqual(expect.any(Number));
    expect(fake.orders()[0]).toMatchObject({ state: 'invoiced', partner_id: 8 });
    // an unknown partner is dropped, and so is to_invoice
    await result(push(fake, [order17(sessionId, 1, 3, { to_invoice: true, partner_id: 999999 })]));
    expect(fake.orders()[1]).toMatchObject({ state: 'paid', partner_id: false, account_move: false });
  });

  it('a payment method outside the config is refused', async () => {
    const fake = await start({ configs: [{ paymentMethodIds: [1, 2] }] });
    const sessionId = await openSession17(fake);
    const order = order17(sessionId, 1, 1, { statement_ids: [[0, 0, { name: '2026-11-21 04:26:40', payment_method_id: 3, amount: 2.76 }]] });
    expectOdooError(await rpcError(push(fake, [order])), 'odoo.exceptions.ValidationError', 'The payment method selected is not allowed in the config of the POS session.');
  });

  it('orders for a closed session go to one "(RESCUE FOR …)" session, opened at once, not the config’s current session', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    fake.closeSession(sessionId);
    await result(push(fake, [order17(sessionId, 1, 1)]));
    await result(push(fake, [order17(sessionId, 1, 2)]));
    const rescues = fake.sessions().filter((s) => s.rescue);
    expect(rescues).toHaveLength(1);
    expect(rescues[0]).toMatchObject({ name: 'POS/00004 (RESCUE FOR POS/00003)', state: 'opened', config_id: 1 });
    expect(fake.orders().map((o) => [o.session_id, o.state, o.tracking_number])).toEqual([[rescues[0]!.id, 'paid', '401'], [rescues[0]!.id, 'paid', '402']]);
    expect(fake.serverLog().some((l) => l.includes('was closed but received order Order 00003-001-0001'))).toBe(true);
    // a rescue session is not the config's current session: a normal one can still be opened
    const [config] = await result<Json[]>(execute(fake, 'pos.config', 'read', [[1], ['current_session_id', 'number_of_rescue_session']]));
    expect(config).toEqual({ id: 1, current_session_id: false, number_of_rescue_session: 1 });
    await result(execute(fake, 'pos.config', 'open_ui', [[1]]));
    expect(fake.sessions().filter((s) => s.state !== 'closed' && !s.rescue).map((s) => s.name)).toEqual(['POS/00005']);
  });

  it('under cash control the rescue session starts from the last session’s counted closing cash', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    await result(execute(fake, 'pos.session', 'post_closing_cash_details', [[sessionId], 125.5]));
    await post(fake, '/jsonrpc', { service: 'object', method: 'execute_kw', args: [fake.db, 2, 'admin', 'pos.session', 'update_closing_control_state_session', [[sessionId], 'end'], {}] });
    expect(await result(execute(fake, 'pos.session', 'close_session_from_ui', [[sessionId]]))).toEqual({ successful: true });
    await result(push(fake, [order17(sessionId, 1, 1)]));
    expect(fake.sessions().find((s) => s.rescue)).toMatchObject({ cash_register_balance_start: 125.5 });
  });
});

describe('16.0', () => {
  it('needs creation_date and pricelist_id, and without server_id in the payload every retry is a new order', async () => {
    const fake = await start({ version: '16.0' });
    const sessionId = await openSession17(fake);
    const order17Shape = order17(sessionId, 1, 1);
    expectOdooError(await rpcError(push(fake, [order17Shape])), 'builtins.KeyError', "'creation_date'");
    const { date_order: _date, server_id: _server, ...rest } = order17Shape.data;
    const noServerId = { data: { ...rest, creation_date: '2026-11-21T04:26:40.000Z' } };
    await result(push(fake, [noServerId]));
    await result(push(fake, [noServerId]));
    expect(fake.orders()).toHaveLength(2);
    const withServerId = { data: { ...noServerId.data, name: 'Order 00003-001-0002', server_id: false } };
    await result(push(fake, [withServerId]));
    expect(await result(push(fake, [withServerId]))).toEqual([]);
    expect(fake.orders()).toHaveLength(3);
    const { pricelist_id: _pricelist, ...noPricelist } = withServerId.data;
    expectOdooError(await rpcError(push(fake, [{ data: { ...noPricelist, name: 'Order 00003-001-0003' } }])), 'builtins.KeyError', "'pricelist_id'");
  });

  it('legacy16Dedupe: false applies the 17 rule (a patched 16.0)', async () => {
    const fake = await start({ version: '16.0', legacy16Dedupe: false });
    const sessionId = await openSession17(fake);
    const { date_order: _date, server_id: _server, ...rest } = order17(sessionId, 1, 1).data;
    const noServerId = { data: { ...rest, creation_date: '2026-11-21T04:26:40.000Z' } };
    await result(push(fake, [noServerId]));
    expect(await result(push(fake, [noServerId]))).toEqual([]);
    expect(fake.orders()).toHaveLength(1);
  });

  it('load_pos_data has no pos.printer / pos.combo keys and always a default_pricelist key', async () => {
    const fake = await start({ version: '16.0' });
    const sessionId = await openSession17(fake);
    const data = await result<Json>(execute(fake, 'pos.session', 'load_pos_data', [[sessionId]]));
    for (const key of ['pos.printer', 'pos.combo', 'pos.combo.line']) expect(key in data).toBe(false);
    expect('default_pricelist' in data).toBe(true);
  });
});

describe('18.0', () => {
  const sync = (fake: FakeOdoo, orders: unknown[], configId = 1) => execute(fake, 'pos.order', 'sync_from_ui', [orders], { context: { config_id: configId } });

  function order18(sessionId: number, uuid: string, over: Json = {}) {
    return {
      uuid,
      name: `Order ${pad(sessionId, 5)}-001-0001`,
      session_id: sessionId,
      state: 'paid',
      amount_total: 2.76,
      amount_tax: 0.36,
      amount_paid: 2.76,
      amount_return: 0,
      date_order: '2026-11-21 04:26:40',
      pricelist_id: false,
      partner_id: false,
      fiscal_position_id: false,
      to_invoice: false,
      sequence_number: 1,
      user_id: 2,
      access_token: 'token',
      lines: [[0, 0, { uuid: `${uuid}-l1`, product_id: 5, qty: 2, price_unit: 1.2, price_subtotal: 2.4, price_subtotal_incl: 2.76, discount: 0, tax_ids: [[6, false, [1]]] }]],
      payment_ids: [[0, 0, { uuid: `${uuid}-p1`, payment_method_id: 1, amount: 2.76, payment_date: '2026-11-21 04:26:40' }]],
      ...over,
    };
  }

  async function openSession18(fake: FakeOdoo): Promise<number> {
    await result(execute(fake, 'pos.config', 'open_ui', [[1]]));
    const session = fake.sessions().find((s) => s.state !== 'closed')!;
    const opening = await execute(fake, 'pos.session', 'set_opening_control', [[session.id], 0, '']);
    expect(opening.body).toEqual({ jsonrpc: '2.0', id: 1 });
    return session.id;
  }

  it('a new session waits in opening_control until set_opening_control, even without cash control; 17 methods are absent', async () => {
    const fake = await start({ version: '18.0', configs: [{ cashControl: false }] });
    expect(await result(execute(fake, 'pos.config', 'open_ui', [[1]]))).toEqual({ type: 'ir.actions.act_url', url: '/pos/ui?config_id=1&from_backend=True', target: 'self' });
    expect(fake.sessions().find((s) => s.id === 3)!.state).toBe('opening_control');
    expectOdooError(await rpcError(execute(fake, 'pos.session', 'set_cashbox_pos', [[3], 0, ''])), 'builtins.AttributeError', "The method 'set_cashbox_pos' does not exist on the model 'pos.session'");
    expectOdooError(await rpcError(execute(fake, 'pos.order', 'create_from_ui', [[], false])), 'builtins.AttributeError', "The method 'create_from_ui' does not exist on the model 'pos.order'");
    await result(execute(fake, 'pos.session', 'set_opening_control', [[3], 10, 'start']));
    expect(fake.sessions().find((s) => s.id === 3)).toMatchObject({ state: 'opened', cash_register_balance_start: 10 });
    expect(await result(execute(fake, 'pos.session', 'login', [[3]]))).toBe(1);
  });

  it('load_data answers {model: {data, fields, relations}} with bare many2one ids and the session’s _server_version', async () => {
    const fake = await start({ version: '18.0' });
    const sessionId = await openSession18(fake);
    const data = await result<Record<string, { data: Json[]; fields: string[]; relations: Record<string, Json> }>>(execute(fake, 'pos.session', 'load_data', [sessionId, []]));
    for (const model of ['pos.session', 'pos.config', 'pos.order', 'pos.order.line', 'pos.payment', 'product.product', 'product.pricelist.item', 'res.partner', 'account.fiscal.position.tax', 'uom.category', 'ir.module.module']) {
      expect(data[model], model).toEqual({ data: expect.any(Array), fields: expect.any(Array), relations: expect.any(Object) });
    }
    const session = data['pos.session']!.data[0]!;
    expect(session).toMatchObject({ id: sessionId, config_id: 1, user_id: 2, state: 'opened' });
    expect(session._server_version).toMatchObject({ server_version_info: [18, 0, 0, 'final', 0, ''] });
    expect(session._base_url).toBe(fake.url);
    expect(data['product.product']!.data).toHaveLength(39);
    expect(data['product.product']!.data[0]).toMatchObject({ categ_id: 2, uom_id: 1, product_tmpl_id: 1 });
    expect(data['product.product']!.relations.taxes_id).toMatchObject({ name: 'taxes_id', model: 'product.product', type: 'many2many', relation: 'account.tax' });
    expect(data['pos.order']!.relations.lines).toMatchObject({ type: 'one2many', relation: 'pos.order.line', inverse_name: 'order_id' });
    const only = await result<Json>(execute(fake, 'pos.session', 'load_data', [sessionId, ['res.partner']]));
    expect(Object.keys(only).sort()).toEqual(['pos.session', 'res.partner']);
  });

  it('sync_from_ui creates by uuid, recomputes amount_paid, and ignores a re-sync of a paid order (left out of the answer)', async () => {
    const fake = await start({ version: '18.0' });
    const sessionId = await openSession18(fake);
    const order = order18(sessionId, 'a1b2c3d4-0000-4000-8000-000000000001', { amount_paid: 99 });
    const first = await result<Record<string, Json[]>>(sync(fake, [order]));
    expect(Object.keys(first).sort()).toEqual(['pos.order', 'pos.order.line', 'pos.pack.operation.lot', 'pos.payment', 'pos.session', 'product.attribute.custom.value']);
    expect(first['pos.order']).toEqual([expect.objectContaining({ id: 1, uuid: order.uuid, state: 'paid', amount_paid: 2.76, session_id: sessionId, pos_reference: 'Order 00003-001-0001' })]);
    expect(first['pos.order.line']).toHaveLength(1);
    expect(first['pos.payment']).toHaveLength(1);
    expect(first['pos.session']).toEqual([]);
    const again = await result<Record<string, Json[]>>(sync(fake, [order]));
    expect(again['pos.order']).toEqual([]);
    expect(fake.orders()).toHaveLength(1);
  });

  it('sync_from_ui: a draft is updated in place by uuid with one2many commands; an underpaid order stays draft', async () => {
    const fake = await start({ version: '18.0' });
    const sessionId = await openSession18(fake);
    const uuid = 'a1b2c3d4-0000-4000-8000-000000000002';
    await result(sync(fake, [order18(sessionId, uuid, { state: 'draft', payment_ids: [] })]));
    expect(fake.orders()[0]).toMatchObject({ state: 'draft', amount_paid: 0 });
    const lineId = fake.orders()[0]!.lines[0]!.id;
    const update = order18(sessionId, uuid, { state: 'paid', lines: [[1, lineId, { qty: 2 }]] });
    const answer = await result<Record<string, Json[]>>(sync(fake, [update]));
    expect(answer['pos.order']).toEqual([expect.objectContaining({ id: 1, state: 'paid' })]);
    expect(fake.orders()[0]!.lines).toHaveLength(1);
    const underpaid = order18(sessionId, 'a1b2c3d4-0000-4000-8000-000000000003', { payment_ids: [[0, 0, { payment_method_id: 1, amount: 1 }]] });
    await result(sync(fake, [underpaid]));
    expect(fake.orders()[1]).toMatchObject({ state: 'draft', amount_paid: 1 });
  });

  it('a closed session’s order goes to another open session of the config, never a rescue session; with none it is a UserError', async () => {
    const fake = await start({ version: '18.0' });
    const first = await openSession18(fake);
    fake.closeSession(first);
    expectOdooError(await rpcError(sync(fake, [order18(first, 'a1b2c3d4-0000-4000-8000-000000000004')])), 'odoo.exceptions.UserError', 'No open session available. Please open a new session to capture the order.');
    const second = await openSession18(fake);
    const answer = await result<Record<string, Json[]>>(sync(fake, [order18(first, 'a1b2c3d4-0000-4000-8000-000000000004')]));
    expect(fake.orders()[0]).toMatchObject({ session_id: second, state: 'paid' });
    expect(answer['pos.session']).toEqual([expect.objectContaining({ id: second })]);
    expect(fake.sessions().some((s) => s.rescue)).toBe(false);
  });

  it('refuses keys that are not pos.order fields, and rolls the batch back', async () => {
    const fake = await start({ version: '18.0' });
    const sessionId = await openSession18(fake);
    const good = order18(sessionId, 'a1b2c3d4-0000-4000-8000-000000000005');
    const bad = order18(sessionId, 'a1b2c3d4-0000-4000-8000-000000000006', { statement_ids: [] });
    expectOdooError(await rpcError(sync(fake, [good, bad])), 'builtins.ValueError', "Invalid field 'statement_ids' on model 'pos.order'");
    expect(fake.orders()).toEqual([]);
  });
});

describe('fault controls', () => {
  it('cutAfterProcessing: the order is committed but the client gets a socket error; the POS finds it by pos_reference', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    fake.cutAfterProcessing(1, 'create_from_ui');
    const cut = push(fake, [order17(sessionId, 1, 1)]);
    await expect(cut).rejects.toThrow(/fetch failed/);
    await cut.catch((error: Error & { cause?: { code?: string } }) => expect(error.cause?.code).toMatch(/UND_ERR_SOCKET|ECONNRESET/));
    expect(fake.orders()).toEqual([expect.objectContaining({ pos_reference: 'Order 00003-001-0001', state: 'paid' })]);
    expect(fake.requests().cut).toBe(1);
    const found = await result<Json[]>(execute(fake, 'pos.order', 'search_read', [[['pos_reference', '=', 'Order 00003-001-0001']], ['state']]));
    expect(found).toEqual([{ id: 1, state: 'paid' }]);
    // resending the frozen payload is harmless
    expect(await result(push(fake, [order17(sessionId, 1, 1)]))).toEqual([]);
  });

  it('down("refuse") refuses connections until up(), on the same port', async () => {
    const fake = await start();
    await result(post(fake, '/web/webclient/version_info', {}));
    await fake.down('refuse');
    const refused = post(fake, '/web/webclient/version_info', {});
    await expect(refused).rejects.toThrow(/fetch failed/);
    await refused.catch((error: Error & { cause?: { code?: string } }) => expect(error.cause?.code).toBe('ECONNREFUSED'));
    await fake.up();
    expect(await result(post(fake, '/web/webclient/version_info', {}))).toMatchObject({ server_version: '17.0' });
  });

  it('down("http503") answers 503 until up()', async () => {
    const fake = await start();
    await fake.down('http503');
    const response = await fetch(`${fake.url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(503);
    await response.text();
    await fake.up();
    expect(await result(post(fake, '/jsonrpc', { service: 'common', method: 'version', args: [] }))).toMatchObject({ server_serie: '17.0' });
    expect(fake.requests().http503).toBe(1);
  });

  it('failNext raises a business error for the next call of that method only, changing nothing', async () => {
    const fake = await start();
    const sessionId = await openSession17(fake);
    fake.failNext('create_from_ui', 'The POS is being closed');
    expectOdooError(await rpcError(push(fake, [order17(sessionId, 1, 1)])), 'odoo.exceptions.UserError', 'The POS is being closed');
    fake.failNext('pos.order.create_from_ui', { name: 'odoo.exceptions.ValidationError', message: 'Nope' });
    expectOdooError(await rpcError(push(fake, [order17(sessionId, 1, 1)])), 'odoo.exceptions.ValidationError', 'Nope');
    expect(fake.orders()).toEqual([]);
    expect(await result<Json[]>(push(fake, [order17(sessionId, 1, 1)]))).toHaveLength(1);
  });

  it('delay(ms) slows every answer; requests() counts paths and model methods', async () => {
    const fake = await start();
    fake.delay(150);
    const startedAt = Date.now();
    await result(post(fake, '/web/webclient/version_info', {}));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    fake.delay(0);
    await result(execute(fake, 'pos.config', 'search_read', [[], ['name']]));
    const counters = fake.requests();
    expect(counters.byPath).toEqual({ '/web/webclient/version_info': 1, '/jsonrpc': 1 });
    expect(counters.byMethod).toEqual({ 'pos.config.search_read': 1 });
    expect(counters.total).toBe(2);
  });

  it('unknown routes are a JSON-RPC 404', async () => {
    const fake = await start();
    const reply = await post(fake, '/web/nothing', {});
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({ code: 404, message: '404: Not Found', data: { name: 'werkzeug.exceptions.NotFound' } });
  });
});

describe('scale', () => {
  it('is deterministic for a seed', async () => {
    const a = await start({ seed: 7, data: { products: 200 } });
    const b = await start({ seed: 7, data: { products: 200 } });
    expect(a.catalog.products()).toEqual(b.catalog.products());
    expect(a.admin.apiKey).toBe(b.admin.apiKey);
  });

  // How fast the fake answers at this scale is a figure of `npm run bench:pos` ("fake Odoo: …").
  it('loads 50,000 products and 20,000 partners, and takes 5,000 orders in one call, then knows them all', async () => {
    const fake = await start({ data: { products: 50_000, partners: 20_000 }, configs: [{ limitedProductsLoading: false, limitedPartnersLoading: false, cashControl: false }] });
    const { sessionId, loginNumber } = fake.openSession();
    const data = await result<Json>(execute(fake, 'pos.session', 'load_pos_data', [[sessionId]]));
    expect((data['product.product'] as Json[]).length).toBe(50_000);
    expect((data['res.partner'] as Json[]).length).toBe(20_000);

    const orders = Array.from({ length: 5000 }, (_, i) => order17(sessionId, loginNumber, i + 1));
    const answer = await result<Json[]>(push(fake, orders));
    expect(answer).toHaveLength(5000);
    expect(await result(push(fake, orders))).toEqual([]);
    expect(fake.orders()).toHaveLength(5000);
  });
});
