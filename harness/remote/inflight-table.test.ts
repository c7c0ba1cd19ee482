import { expect } from 'chai';
import { InflightTable, MAX_INFLIGHT } from './inflight-table';

interface Entry {
  readonly id: number;
  readonly name: string;
}

describe('InflightTable', function () {
  it('hands out ids in turn, skipping one whose place an entry still in flight holds', function () {
    const t = new InflightTable<Entry>(8); // 16 places
    const first = t.allocId();
    t.add({ id: first, name: 'long' });
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const id = t.allocId();
      t.add({ id, name: String(i) });
      t.delete(id);
      ids.push(id);
    }
    expect(first).to.equal(1);
    expect(ids.slice(0, 3)).to.deep.equal([2, 3, 4]);
    expect(ids, 'id 17 shares its place with id 1, still in flight').to.not.include(17);
    expect(ids).to.include(18);
    expect(t.size).to.equal(1);
  });

  it('finds an entry by its id only, not by another id of the same place', function () {
    const t = new InflightTable<Entry>(8);
    const id = t.allocId();
    t.add({ id, name: 'a' });
    expect(t.get(id)?.name).to.equal('a');
    expect(t.get(id + 16)).to.equal(undefined);
    t.delete(id + 16);
    expect(t.size, 'deleting another id of the same place removes nothing').to.equal(1);
    t.delete(id);
    expect(t.get(id)).to.equal(undefined);
    expect(t.size).to.equal(0);
  });

  it('gives its entries in the order they were added, across places, and clears them', function () {
    const t = new InflightTable<Entry>(2); // 16 places
    for (let i = 0; i < 14; i++) t.allocId(); // ids 1..14 handed out and never added
    const order = ['p', 'q', 'r'];
    for (const name of order) t.add({ id: t.allocId(), name }); // ids 15, 16, 17: places 15, 0, 1
    expect(t.values().map((e) => e.name)).to.deep.equal(order);
    expect(t.clear().map((e) => e.id)).to.deep.equal([15, 16, 17]);
    expect(t.size).to.equal(0);
    expect(t.values()).to.deep.equal([]);
  });

  it('finds an entry by what it holds', function () {
    const t = new InflightTable<Entry>(8);
    for (const name of ['a', 'b', 'c']) t.add({ id: t.allocId(), name });
    expect(t.find((e) => e.name === 'b')?.id).to.equal(2);
    expect(t.find((e) => e.name === 'z')).to.equal(undefined);
  });

  it('holds at most MAX_INFLIGHT entries whatever max_sqes an agent claims', function () {
    expect(new InflightTable<Entry>(64).capacity).to.equal(64);
    expect(new InflightTable<Entry>(0xffffffff).capacity).to.equal(MAX_INFLIGHT);
  });
});
