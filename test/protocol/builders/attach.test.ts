import { expect } from 'chai';
import { Attach, type AttachBlockJSON } from '../../../src/protocol/attach.js';
import { b } from '../../../src/protocol/bbcode.js';
import { expectCode } from './expect-code.js';

const blocks = (a: Attach): string => JSON.stringify(a.toJSON().BLOCKS);

describe('Attach', () => {
  describe('reproduces the documented examples', () => {
    it('attachments/index.md full form, byte for byte', () => {
      const doc = '{"ID":1,"COLOR_TOKEN":"primary","COLOR":"#29619b","BLOCKS":[{"MESSAGE":"API будет доступно в обновлении [B]im 24.0.0[/B]"}]}';
      const attach = new Attach({ id: 1, colorToken: 'primary', color: '#29619b' }).message('API будет доступно в обновлении [B]im 24.0.0[/B]');
      expect(JSON.stringify(attach)).to.equal(doc);
    });

    it('b24-api-facts §6.2 ticket card (same fields; the docs put DISPLAY first)', () => {
      const doc = JSON.parse(
        '{"ID":1,"COLOR_TOKEN":"primary","BLOCKS":[{"MESSAGE":"[B]Ticket #142[/B]"},{"DELIMITER":{"SIZE":200,"COLOR":"#c6c6c6"}},' +
          '{"GRID":[{"DISPLAY":"ROW","NAME":"Status","VALUE":"Open"}]},{"LINK":{"NAME":"Open ticket","LINK":"https://help.example.com/142"}}]}',
      ) as unknown;
      const attach = new Attach({ id: 1 })
        .colorToken('primary')
        .message('[B]Ticket #142[/B]')
        .delimiter({ size: 200, color: '#c6c6c6' })
        .grid([{ name: 'Status', value: 'Open' }])
        .link({ name: 'Open ticket', link: 'https://help.example.com/142' });
      expect(attach.toJSON()).to.deep.equal(doc);
      expect(Attach.fromJSON(doc as never).toJSON()).to.deep.equal(doc);
    });

    it('block-collections/links.md, byte for byte', () => {
      const attach = new Attach().link({
        preview: 'https://dev.1c-bitrix.ru/bitrix/templates/1c-bitrix-new/images/logo.png', width: 1000, height: 638,
        name: 'Тикет #12345: новое API для модуля "Веб-мессенджер"', desc: 'Необходимо реализовать к релизу!', link: 'https://api.bitrix24.com/',
      });
      expect(blocks(attach)).to.equal(
        '[{"LINK":{"PREVIEW":"https://dev.1c-bitrix.ru/bitrix/templates/1c-bitrix-new/images/logo.png","WIDTH":1000,"HEIGHT":638,' +
          '"NAME":"Тикет #12345: новое API для модуля \\"Веб-мессенджер\\"","DESC":"Необходимо реализовать к релизу!","LINK":"https://api.bitrix24.com/"}}]',
      );
    });

    it('block-collections/images.md, files.md, delimiter.md, user.md, byte for byte', () => {
      const mantis = 'https://files.shelenkov.com/bitrix/images/mantis.jpg';
      const attach = new Attach()
        .image({ name: 'Это Mantis', link: mantis, preview: mantis, width: 1000, height: 638 })
        .file([{ name: 'mantis.jpg', link: mantis, size: 1500000 }])
        .delimiter({ size: 200, color: '#c6c6c6' })
        .user({ name: 'Иван Иванов', avatar: 'https://files.shelenkov.com/bitrix/images/avatar.png', link: 'https://shelenkov.com' });
      expect(blocks(attach)).to.equal(
        `[{"IMAGE":[{"NAME":"Это Mantis","LINK":"${mantis}","PREVIEW":"${mantis}","WIDTH":1000,"HEIGHT":638}]},` +
          `{"FILE":[{"NAME":"mantis.jpg","LINK":"${mantis}","SIZE":1500000}]},` +
          '{"DELIMITER":{"SIZE":200,"COLOR":"#c6c6c6"}},' +
          '{"USER":{"NAME":"Иван Иванов","AVATAR":"https://files.shelenkov.com/bitrix/images/avatar.png","LINK":"https://shelenkov.com"}}]',
      );
    });

    it('block-collections/grid.md BLOCK and LINE examples, byte for byte', () => {
      const desc = 'Требуется реализовать возможность добавлять структурированные сущности в сообщения и уведомления мессенджера.';
      const attach = new Attach()
        .grid([{ name: 'Описание', value: desc, width: 250 }, { name: 'Категория', value: 'Пожелания', width: 100 }], { display: 'BLOCK' })
        .grid([{ name: 'Приоритет', value: 'Высокий', colorToken: 'alert', color: '#ff0000', display: 'LINE', width: 250 }, { name: 'Категория', value: 'Пожелания', display: 'LINE' }]);
      expect(blocks(attach)).to.equal(
        `[{"GRID":[{"NAME":"Описание","VALUE":"${desc}","DISPLAY":"BLOCK","WIDTH":250},{"NAME":"Категория","VALUE":"Пожелания","DISPLAY":"BLOCK","WIDTH":100}]},` +
          '{"GRID":[{"NAME":"Приоритет","VALUE":"Высокий","COLOR_TOKEN":"alert","COLOR":"#ff0000","DISPLAY":"LINE","WIDTH":250},{"NAME":"Категория","VALUE":"Пожелания","DISPLAY":"LINE"}]}]',
      );
    });
  });

  describe('building', () => {
    it('sends SIZE 200 for a bare delimiter so the block is never an empty object', () => {
      expect(new Attach().delimiter().toJSON().BLOCKS).to.deep.equal([{ DELIMITER: { SIZE: 200 } }]);
    });

    it('takes BB-code helpers in texts and grid values', () => {
      const json = new Attach().message(b('Hi')).grid([{ name: 'Owner', value: b('Ann') }]).toJSON();
      expect(json.BLOCKS).to.deep.equal([{ MESSAGE: '[b]Hi[/b]' }, { GRID: [{ NAME: 'Owner', VALUE: '[b]Ann[/b]', DISPLAY: 'ROW' }] }]);
    });

    it('is immutable, including colour changes and nested arrays', () => {
      const base = new Attach({ colorToken: 'base' }).image([{ link: '/a.png' }, { link: '/b.png' }]);
      const red = base.color('#f00');
      expect(base.toJSON()).to.deep.equal({ COLOR_TOKEN: 'base', BLOCKS: [{ IMAGE: [{ LINK: '/a.png' }, { LINK: '/b.png' }] }] });
      expect(red.toJSON().COLOR).to.equal('#f00');
      const out = red.toJSON();
      (out.BLOCKS[0] as { IMAGE: { LINK: string }[] }).IMAGE[0]!.LINK = '/changed';
      expect(red.toJSON().BLOCKS[0]).to.deep.equal({ IMAGE: [{ LINK: '/a.png' }, { LINK: '/b.png' }] });
      expect(red.size).to.equal(1);
    });

    it('accepts a bare block array and the {"DELIMITER":true} form the examples use', () => {
      const bare: AttachBlockJSON[] = [{ MESSAGE: 'x' }, { DELIMITER: true }];
      expect(Attach.fromJSON(bare).toJSON()).to.deep.equal({ BLOCKS: bare });
    });
  });

  describe('validation (ATTACH_INVALID)', () => {
    it('requires the documented mandatory fields', () => {
      expectCode(() => new Attach().message(''), 'ATTACH_INVALID');
      expectCode(() => new Attach().link({ name: 'x' } as never), 'ATTACH_INVALID');
      expectCode(() => new Attach().user({ name: ' ' }), 'ATTACH_INVALID');
      expectCode(() => new Attach().image([]), 'ATTACH_INVALID');
      expectCode(() => new Attach().grid([]), 'ATTACH_INVALID');
      const err = expectCode(() => new Attach().message('a').grid([{ width: 10 }]), 'ATTACH_INVALID');
      expect(err.message).to.contain('block 2').and.contain('GRID').and.contain('NAME or VALUE');
    });

    it('checks links, colours, tokens and numbers', () => {
      expectCode(() => new Attach().link({ link: 'javascript:alert(1)' }), 'ATTACH_INVALID');
      expectCode(() => new Attach().link({ link: '/ok', preview: 'data:image/png;base64,xx' }), 'ATTACH_INVALID');
      expectCode(() => new Attach().user({ name: 'A', avatar: '//evil.example/a.png' }), 'ATTACH_INVALID');
      expect(expectCode(() => new Attach().file({ link: '/f', size: -1 }), 'ATTACH_INVALID').message).to.contain('item 1').and.contain('SIZE');
      expectCode(() => new Attach().delimiter({ color: 'grey' }), 'ATTACH_INVALID');
      expectCode(() => new Attach().delimiter({ size: 0 }), 'ATTACH_INVALID');
      expectCode(() => new Attach().grid([{ name: 'a', colorToken: 'danger' as 'alert' }]), 'ATTACH_INVALID');
      expectCode(() => new Attach({ id: 1.5 }), 'ATTACH_INVALID');
      expectCode(() => new Attach().color('#12'), 'ATTACH_INVALID');
      expectCode(() => new Attach().colorToken('red' as 'base'), 'ATTACH_INVALID');
      expect(expectCode(() => new Attach().link({ link: '/a', url: '/b' } as never), 'ATTACH_INVALID').message).to.contain('unknown option url');
      expectCode(() => new Attach({ colour: '#fff' } as never), 'ATTACH_INVALID');
    });

    it('refuses a GRID that mixes displays', () => {
      const err = expectCode(() => new Attach().grid([{ name: 'a', display: 'ROW' }, { name: 'b', display: 'LINE' }]), 'ATTACH_INVALID');
      expect(err.message).to.contain('mix');
    });

    it('refuses unknown blocks, blocks with two keys and unknown fields in plain JSON', () => {
      expect(expectCode(() => Attach.fromJSON([{ RICH_LINK: {} } as never]), 'ATTACH_INVALID').message).to.contain('unknown block RICH_LINK');
      expectCode(() => Attach.fromJSON([{ MESSAGE: 'a', LINK: { LINK: '/a' } } as never]), 'ATTACH_INVALID');
      expectCode(() => Attach.fromJSON([{ LINK: { LINK: '/a', URL: '/b' } } as never]), 'ATTACH_INVALID');
      expectCode(() => Attach.fromJSON({ ID: 1, BLOCKS: 'x' } as never), 'ATTACH_INVALID');
      expectCode(() => Attach.fromJSON({ BLOCKS: [], COLOUR: '#fff' } as never), 'ATTACH_INVALID');
      expectCode(() => Attach.fromJSON([null] as never), 'ATTACH_INVALID');
    });
  });
});
