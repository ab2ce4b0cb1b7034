/**
 * Vietnamese text for generated cases: titles, descriptions, addresses and answers per category, from
 * templates filled with the ward's own streets, residential groups and landmarks, so that trigram
 * search meets the spread of words a real ward's cases have ("den duong" matches "Đèn đường" but also
 * "đến", "Dương", "đường" …; a street name matches that street's cases).
 */
import type { CityWard } from './city.ts';
import type { Rng } from './random.ts';

type Templates = { titles: string[]; facts: string[]; extras: string[]; asks: string[]; answers: string[] };

const durations = [
  'hai ngày nay',
  'ba ngày nay',
  'gần một tuần',
  'hơn một tuần',
  'nửa tháng nay',
  'gần một tháng',
  'nhiều tháng nay',
  'từ đầu tuần',
  'từ hôm qua',
  'mấy hôm nay',
];
const procedures = [
  'đăng ký khai sinh',
  'đăng ký kết hôn',
  'chứng thực bản sao',
  'đăng ký thường trú',
  'xác nhận tình trạng hôn nhân',
  'cấp giấy chứng nhận quyền sử dụng đất',
  'đăng ký hộ kinh doanh',
  'cấp phép xây dựng nhà ở riêng lẻ',
  'đăng ký khai tử',
  'trích lục hộ tịch',
];

const commonExtras = [
  'Người dân đã báo cho tổ trưởng tổ dân phố nhưng chưa thấy khắc phục.',
  'Tình trạng này đã kéo dài, ảnh hưởng đến sinh hoạt của nhiều hộ gia đình.',
  'Đây không phải lần đầu tiên xảy ra, năm ngoái cũng đã có phản ánh tương tự.',
  'Người già và trẻ em đi qua khu vực này rất nguy hiểm.',
  'Tôi gửi kèm hình ảnh chụp hiện trường để cơ quan chức năng tiện kiểm tra.',
  'Nhiều hộ dân xung quanh cũng có chung ý kiến.',
  'Buổi sáng và giờ tan tầm người qua lại rất đông.',
];
const commonAsks = [
  'Đề nghị phường kiểm tra, xử lý sớm.',
  'Kính đề nghị cơ quan chức năng xem xét, giải quyết.',
  'Mong chính quyền sớm có biện pháp khắc phục.',
  'Đề nghị cán bộ xuống kiểm tra thực tế và trả lời cho người dân được biết.',
  'Rất mong nhận được phản hồi sớm.',
];

const byCategory: Record<string, Templates> = {
  street_lighting: {
    titles: [
      'Đèn đường không sáng',
      'Đèn chiếu sáng công cộng bị hỏng',
      'Cột đèn chiếu sáng bị nghiêng',
      'Đèn đường sáng cả ban ngày',
      'Ngõ tối do đèn đường hỏng',
      'Dây điện chiếu sáng bị đứt, buông thấp',
      'Đèn đường chập chờn',
      'Đề nghị lắp thêm đèn chiếu sáng trong ngõ',
    ],
    facts: [
      'Đèn đường trên {street} đoạn gần {landmark} không sáng đã {dur}.',
      'Cụm đèn chiếu sáng ở {place} bị hỏng {dur}, buổi tối rất tối, người đi đường dễ gặp tai nạn.',
      'Bóng đèn cao áp trước số nhà {n} {street} lúc sáng lúc tắt, có tiếng nổ lách tách.',
      'Cột đèn số {m} tại {place} bị xe va chạm, thân cột nghiêng về phía nhà dân.',
      'Khu vực {group} không có đèn chiếu sáng, tối đến thường xảy ra trộm cắp vặt.',
      'Đèn đường ở {place} sáng cả ngày từ sáng đến chiều, gây lãng phí điện.',
      'Dây điện của hệ thống chiếu sáng trên {street} bị đứt, buông xuống sát đầu người đi xe máy.',
    ],
    extras: ['Học sinh đi học thêm về muộn và người đi tập thể dục buổi tối rất lo ngại.'],
    asks: ['Đề nghị đơn vị quản lý chiếu sáng sớm thay bóng, sửa chữa.'],
    answers: [
      'Phòng Kinh tế – Hạ tầng – Đô thị đã phối hợp với đơn vị quản lý chiếu sáng kiểm tra, thay thế bóng đèn hỏng tại {place}; hệ thống đã hoạt động bình thường.',
      'Đơn vị quản lý chiếu sáng đã dựng lại cột đèn và đấu nối lại đường dây trên {street}.',
    ],
  },
  sanitation: {
    titles: [
      'Rác thải tồn đọng lâu ngày',
      'Bãi rác tự phát gây ô nhiễm',
      'Xe thu gom rác không đến đúng giờ',
      'Nước thải chảy tràn ra đường, bốc mùi hôi',
      'Đổ trộm phế thải xây dựng',
      'Đốt rác gây khói bụi',
      'Rác thải tồn đọng ở đầu ngõ',
      'Cống rãnh bốc mùi hôi thối',
    ],
    facts: [
      'Rác sinh hoạt bị đổ thành đống ở {place} {dur} chưa được thu gom, bốc mùi hôi, ruồi nhặng nhiều.',
      'Tại {place} có người đổ trộm phế thải xây dựng vào ban đêm, lấn ra gần nửa mặt đường.',
      'Xe thu gom rác không đến {group} {dur}, các hộ dân phải để rác trước cửa nhà.',
      'Một số hộ kinh doanh trên {street} xả nước thải trực tiếp ra rãnh thoát nước, bốc mùi hôi thối.',
      'Có hộ dân thường xuyên đốt rác, lá cây ở {place} vào buổi chiều, khói bay vào nhà dân.',
      'Bãi đất trống cạnh {landmark} trở thành nơi đổ rác tự phát.',
    ],
    extras: ['Trời nắng nóng, mùi hôi bốc lên rất khó chịu.'],
    asks: ['Đề nghị đơn vị vệ sinh môi trường thu gom và xử lý các trường hợp đổ rác sai quy định.'],
    answers: [
      'Phường đã chỉ đạo đơn vị vệ sinh môi trường thu gom toàn bộ rác thải tại {place} và lắp biển cấm đổ rác.',
      'Tổ công tác đã kiểm tra, lập biên bản và yêu cầu hộ kinh doanh trên {street} chấm dứt việc xả thải.',
    ],
  },
  urban_order: {
    titles: [
      'Lấn chiếm vỉa hè để kinh doanh',
      'Quán ăn kê bàn ghế tràn ra lòng đường',
      'Xây dựng không phép',
      'Trông giữ xe trái phép trên vỉa hè',
      'Biển quảng cáo che khuất tầm nhìn',
      'Họp chợ tạm lấn chiếm lòng đường',
      'Công trình xây dựng không che chắn',
      'Quán cà phê lấn chiếm vỉa hè',
    ],
    facts: [
      'Các hộ kinh doanh trên {street} bày hàng hoá, kê bàn ghế kín vỉa hè, người đi bộ phải đi xuống lòng đường.',
      'Tại {place} có công trình đang xây thêm tầng, không treo biển báo giấy phép xây dựng.',
      'Một nhóm người trông giữ xe máy trên vỉa hè trước {landmark}, thu tiền cao hơn quy định.',
      'Chợ tạm họp ngay dưới lòng {street} từ 5 giờ sáng, gây ùn tắc giao thông.',
      'Công trình tại số {n} {street} không che chắn, vật liệu rơi vãi ra đường.',
      'Biển quảng cáo lớn dựng ở góc ngã tư {street} với {street2} che khuất tầm nhìn của người tham gia giao thông.',
    ],
    extras: ['Tình trạng kéo dài nhiều tháng, nhắc nhở nhiều lần nhưng không chấp hành.'],
    asks: ['Đề nghị lực lượng trật tự đô thị kiểm tra, xử lý dứt điểm.'],
    answers: [
      'Tổ quản lý trật tự đô thị đã kiểm tra, lập biên bản vi phạm và yêu cầu các hộ trên {street} thu dọn, trả lại vỉa hè.',
      'Phường đã đình chỉ thi công công trình tại {place} và yêu cầu chủ đầu tư xuất trình giấy phép.',
    ],
  },
  traffic: {
    titles: [
      'Ổ gà lớn trên mặt đường',
      'Mặt đường bị sụt lún',
      'Nắp hố ga bị vỡ',
      'Đèn tín hiệu giao thông không hoạt động',
      'Cây xanh gãy đổ chắn ngang đường',
      'Biển báo giao thông bị mất',
      'Xe chở vật liệu rơi vãi',
      'Đề nghị lắp gờ giảm tốc',
    ],
    facts: [
      'Mặt {street} đoạn trước số nhà {n} xuất hiện nhiều ổ gà lớn, trời mưa đọng nước, xe máy đi qua rất dễ ngã.',
      'Nắp hố ga tại {place} bị vỡ, để lộ miệng hố sâu, chỉ được cắm tạm một cành cây để cảnh báo.',
      'Đèn tín hiệu tại nút giao {street} với {street2} không hoạt động {dur}, giờ cao điểm thường xuyên ùn tắc.',
      'Cây xanh trên vỉa hè {street} bị gãy cành sau mưa giông, cành lớn đè lên dây điện và chắn một phần lòng đường.',
      'Xe tải chở đất, cát đi qua {street} không che chắn, đất cát rơi vãi khắp mặt đường.',
      'Đoạn đường trước {landmark} xe chạy rất nhanh, đã xảy ra nhiều vụ va chạm.',
    ],
    extras: ['Đã có người đi xe máy bị ngã, may không bị thương nặng.'],
    asks: ['Đề nghị khẩn trương sửa chữa để đảm bảo an toàn giao thông.'],
    answers: [
      'Đơn vị duy tu đã vá ổ gà, thay nắp hố ga và hoàn trả mặt đường tại {place}.',
      'Phường đã phối hợp với đơn vị cây xanh cắt tỉa, dọn cành gãy trên {street}; giao thông đã thông suốt.',
    ],
  },
  public_security: {
    titles: [
      'Nghi có tụ tập đánh bạc',
      'Thanh niên tụ tập đua xe ban đêm',
      'Mất trộm xe máy',
      'Đối tượng lạ có biểu hiện nghi vấn',
      'Cho vay nặng lãi, đòi nợ gây mất trật tự',
      'Gây rối trật tự công cộng',
    ],
    facts: [
      'Tối nào cũng có nhóm người lạ tụ tập tại một ngôi nhà ở {place}, ra vào đến khuya, nghi đánh bạc.',
      'Khoảng {hour} giờ đêm, nhiều nhóm thanh niên tụ tập, rú ga, lạng lách trên {street}.',
      'Gia đình tôi bị mất trộm xe máy để trước cửa nhà số {n} {street} vào rạng sáng.',
      'Có đối tượng dán tờ rơi cho vay tiền trên cột điện, tường nhà ở {group} và đến đòi nợ, ném chất bẩn vào nhà dân.',
      'Một số người say rượu thường xuyên gây gổ, cãi chửi nhau tại quán nhậu đầu {street}.',
    ],
    extras: [
      'Người dân rất lo lắng cho an toàn của gia đình.',
      'Đề nghị giữ bí mật thông tin người phản ánh.',
    ],
    asks: ['Đề nghị công an kiểm tra, xử lý nghiêm.'],
    answers: [
      'Công an đã xác minh, triệu tập các đối tượng liên quan tại {place} và xử lý theo quy định.',
      'Công an đã tăng cường tuần tra vào ban đêm trên {street}.',
    ],
  },
  drainage: {
    titles: [
      'Ngập úng sau mưa',
      'Cống thoát nước bị tắc',
      'Nước tràn vào nhà dân',
      'Rãnh thoát nước bị lấp',
      'Đề nghị nạo vét mương thoát nước',
      'Vỡ đường ống cấp nước',
      'Ngập sâu sau mưa lớn',
    ],
    facts: [
      'Sau trận mưa lớn, đoạn {street} ngập sâu khoảng {cm} cm, nước tràn vào nhiều nhà.',
      'Miệng cống thoát nước tại {place} bị rác và bùn đất bịt kín, nước không thoát được.',
      'Mương thoát nước chạy qua {group} bị bồi lắng, bèo rác ùn ứ, mưa to là nước dâng vào nhà dân.',
      'Đường ống cấp nước sạch trên {street} bị vỡ, nước chảy lênh láng {dur}.',
      'Rãnh thoát nước dọc {street} bị các hộ dân lấp để làm lối đi, mỗi khi mưa nước chảy tràn mặt đường.',
    ],
    extras: ['Mùa mưa bão sắp đến, người dân rất lo ngại.'],
    asks: ['Đề nghị khẩn trương nạo vét, khơi thông dòng chảy.'],
    answers: [
      'Phường đã phối hợp với đơn vị thoát nước nạo vét cống, khơi thông dòng chảy tại {place}.',
      'Công ty cấp nước đã sửa chữa đường ống trên {street} và hoàn trả mặt bằng.',
    ],
  },
  administrative_procedure: {
    titles: [
      'Hỏi thủ tục đăng ký khai sinh trực tuyến',
      'Hồ sơ chậm trả kết quả',
      'Hỏi về thủ tục chứng thực bản sao',
      'Đề nghị hướng dẫn đăng ký thường trú',
      'Hỏi thủ tục đăng ký kết hôn',
      'Phản ánh thái độ tiếp dân của cán bộ một cửa',
    ],
    facts: [
      'Tôi muốn làm thủ tục {proc} qua Cổng Dịch vụ công quốc gia, xin hỏi cần chuẩn bị những giấy tờ gì và bao lâu thì có kết quả?',
      'Tôi nộp hồ sơ {proc} tại Trung tâm Phục vụ hành chính công từ {dur}, đã quá hẹn trả kết quả nhưng chưa nhận được.',
      'Khi đến làm thủ tục {proc}, cán bộ tiếp nhận yêu cầu bổ sung nhiều lần, mỗi lần một loại giấy tờ khác nhau.',
      'Xin hỏi thủ tục {proc} có làm được ở Trung tâm Phục vụ hành chính công của {ward} không hay phải lên thành phố?',
    ],
    extras: ['Tôi đi làm cả ngày nên rất mong được hướng dẫn làm trực tuyến.'],
    asks: ['Rất mong được hướng dẫn cụ thể.'],
    answers: [
      'Trung tâm Phục vụ hành chính công trả lời: thủ tục {proc} thực hiện trực tuyến trên Cổng Dịch vụ công quốc gia; hồ sơ gồm tờ khai và giấy tờ tuỳ thân, thời hạn giải quyết theo quy định.',
      'Trung tâm đã rà soát hồ sơ {proc} của công dân, trả kết quả và xin lỗi vì sự chậm trễ.',
    ],
  },
  social_policy: {
    titles: [
      'Đề nghị xem xét hỗ trợ hộ nghèo',
      'Chậm chi trả trợ cấp người cao tuổi',
      'Hỏi chính sách hỗ trợ người có công',
      'Đám cưới kéo dài, dựng rạp lấn đường',
      'Đề nghị sửa chữa nhà văn hoá',
      'Cơ sở trông trẻ tự phát không đảm bảo an toàn',
    ],
    facts: [
      'Gia đình tôi ở {group} có hoàn cảnh khó khăn, chồng mất sức lao động, xin hỏi có được xét hộ nghèo không.',
      'Tháng này trợ cấp người cao tuổi của mẹ tôi ở {group} chưa được chi trả, đã quá {dur}.',
      'Một hộ dân dựng rạp đám cưới chiếm toàn bộ lòng {street} suốt ba ngày.',
      'Nhà văn hoá {group} xuống cấp, mái dột, trần bong tróc, không đủ điều kiện sinh hoạt cộng đồng.',
      'Có cơ sở trông trẻ tại số {n} {street} nhận hơn hai mươi cháu nhưng chỉ có một người trông.',
    ],
    extras: ['Mong chính quyền quan tâm đến các gia đình chính sách.'],
    asks: ['Kính đề nghị phường xem xét, giải quyết.'],
    answers: [
      'Phòng Văn hoá – Xã hội đã rà soát, hướng dẫn gia đình hoàn thiện hồ sơ theo quy định.',
      'Phường đã chi trả trợ cấp còn thiếu và kiểm tra cơ sở tại {place}.',
    ],
  },
  noise: {
    titles: [
      'Hát karaoke gây ồn sau 22 giờ',
      'Tiếng ồn từ xưởng sản xuất',
      'Công trình thi công ban đêm gây ồn',
      'Loa quảng cáo bật quá to',
      'Quán nhậu mở nhạc lớn đến khuya',
    ],
    facts: [
      'Một hộ gia đình ở {place} hát karaoke với loa công suất lớn đến gần {hour} giờ đêm, nhiều hôm liên tiếp.',
      'Xưởng cơ khí tại {place} hoạt động cả ngày lẫn đêm, tiếng máy cắt, máy mài rất lớn.',
      'Công trình trên {street} đổ bê tông, vận hành máy móc sau {hour} giờ đêm, ảnh hưởng giấc ngủ của người dân.',
      'Cửa hàng điện thoại trên {street} bật loa quảng cáo hết công suất cả ngày.',
    ],
    extras: ['Người già và trẻ nhỏ trong khu dân cư không ngủ được.'],
    asks: ['Đề nghị kiểm tra, xử phạt theo quy định.'],
    answers: [
      'Công an đã làm việc với các hộ gây ồn tại {place}, lập biên bản và yêu cầu cam kết chấm dứt.',
      'Phường đã yêu cầu chủ công trình trên {street} không thi công sau 22 giờ.',
    ],
  },
  other: {
    titles: [
      'Đề nghị lắp thêm ghế đá và đèn ở khu vui chơi',
      'Góp ý về việc sửa chữa nhà văn hoá',
      'Đề nghị cắt tỉa cây xanh',
      'Chó thả rông không rọ mõm',
      'Hỏi lịch tiêm phòng cho trẻ',
      'Phản ánh giá trông xe cao',
    ],
    facts: [
      'Người dân đề nghị lắp thêm ghế đá, đèn chiếu sáng và sửa cầu trượt đã hỏng ở sân chơi {group}.',
      'Cây xanh trước số nhà {n} {street} quá cao, cành vươn vào đường dây điện.',
      'Nhiều hộ ở {group} thả chó ra đường không rọ mõm, đã có trẻ em bị chó đuổi cắn.',
      'Xin hỏi lịch tiêm phòng mở rộng tháng này cho trẻ ở {ward} tổ chức ở đâu, mấy giờ.',
      'Bãi trông xe trước {landmark} thu 10.000 đồng một lượt xe máy, cao hơn mức quy định.',
    ],
    extras: [],
    asks: [],
    answers: ['Phường đã tiếp thu ý kiến, giao bộ phận chuyên môn kiểm tra và trả lời công dân.'],
  },
};

export const categoryCodes = Object.keys(byCategory);

export type TextContext = { ward: CityWard; rng: Rng };

function filler(ctx: TextContext, street: string): Record<string, () => string> {
  const { ward, rng } = ctx;
  const wardName = ward.name.replace(/^(Phường|Xã|Đặc khu)/, (k) => k.toLowerCase());
  const group = () => rng.pick(ward.groups).replace(/^(Tổ|Thôn|Khu)/, (k) => k.toLowerCase());
  return {
    street: () => street,
    street2: () => rng.pick(ward.streets),
    n: () => String(rng.int(1, 320)),
    m: () => String(rng.int(1, 150)),
    cm: () => String(rng.int(2, 12) * 5),
    hour: () => String(rng.int(22, 24)),
    dur: () => rng.pick(durations),
    proc: () => rng.pick(procedures),
    group,
    landmark: () => rng.pick(ward.landmarks),
    ward: () => wardName,
    place: () => {
      switch (rng.int(0, 5)) {
        case 0:
          return `trước số nhà ${rng.int(1, 320)} ${street}`;
        case 1:
          return `ngõ ${rng.int(1, 150)} ${street}`;
        case 2:
          return `đầu ngõ ${rng.int(1, 150)} ${street}`;
        case 3:
          return `khu vực ${rng.pick(ward.landmarks)}`;
        case 4:
          return group();
        default:
          return `đoạn ${street} gần ${rng.pick(ward.landmarks)}`;
      }
    },
  };
}

const fill = (template: string, f: Record<string, () => string>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => f[k]?.() ?? k);

export type CaseText = {
  title: string | null;
  description: string;
  address: string | null;
  group: string | null;
};

/** A case's title, description and location, in the ward's streets. */
export function caseText(ctx: TextContext, category: string): CaseText & { street: string } {
  const { ward, rng } = ctx;
  const t = byCategory[category] ?? (byCategory.other as Templates);
  const street = rng.pick(ward.streets);
  const f = filler(ctx, street);
  let title: string | null = rng.pick(t.titles);
  const where = rng.next();
  if (where < 0.3) title = `${title} trên ${street}`;
  else if (where < 0.4) title = `${title} tại ${f.group?.()}`;
  if (rng.chance(0.04)) title = null;
  const sentences = [fill(rng.pick(t.facts), f)];
  if (rng.chance(0.5)) sentences.push(fill(rng.pick(t.facts), f));
  if (rng.chance(0.6)) sentences.push(rng.pick([...t.extras, ...commonExtras]));
  if (rng.chance(0.8)) sentences.push(rng.pick([...t.asks, ...commonAsks]));
  const wardName = ward.name.replace(/^(Phường|Xã|Đặc khu)/, (k) => k.toLowerCase());
  const group = rng.chance(0.6) ? rng.pick(ward.groups) : null;
  let address: string | null;
  switch (rng.int(0, 4)) {
    case 0:
      address = `Số ${rng.int(1, 320)} ${street}`;
      break;
    case 1:
      address = `Ngõ ${rng.int(1, 150)} ${street}`;
      break;
    case 2:
      address = `Số ${rng.int(1, 60)} ngõ ${rng.int(1, 150)} ${street}`;
      break;
    case 3:
      address = `Khu vực ${rng.pick(ward.landmarks)}`;
      break;
    default:
      address = street.replace(/^đường/, 'Đường');
  }
  address = `${address}${group ? `, ${group.replace(/^(Tổ|Thôn|Khu)/, (k) => k.toLowerCase())}` : ''}, ${wardName}`;
  if (rng.chance(0.06)) address = null;
  return { title, description: sentences.join(' '), address, group, street };
}

/** The department's answer to a case about `street`. */
export function answerText(ctx: TextContext, category: string, street: string): string {
  const t = byCategory[category] ?? (byCategory.other as Templates);
  return fill(ctx.rng.pick(t.answers), filler(ctx, street));
}

export const rejectNotes: Record<string, string[]> = {
  missing_contact: ['Không liên lạc được với người phản ánh để xác minh.'],
  unclear: ['Nội dung phản ánh không rõ địa điểm, đề nghị bổ sung.'],
  offensive: ['Nội dung có lời lẽ xúc phạm.'],
  out_of_scope: [
    'Nội dung thuộc thẩm quyền của đơn vị cấp thành phố.',
    'Không thuộc phạm vi giải quyết của phường.',
  ],
  duplicate: ['Trùng với phản ánh đã tiếp nhận trước đó.'],
  complaint_procedure: ['Nội dung là khiếu nại, hướng dẫn công dân thực hiện theo Luật Khiếu nại.'],
};

export const infoRequests = [
  'Đề nghị người phản ánh bổ sung hình ảnh và địa chỉ cụ thể.',
  'Đề nghị cung cấp thêm thông tin về thời gian xảy ra sự việc.',
  'Cần bổ sung bản chụp giấy tờ liên quan.',
];
export const returnNotes = [
  'Không thuộc lĩnh vực của phòng, đề nghị chuyển đơn vị khác.',
  'Nội dung thuộc thẩm quyền Công an.',
];
export const refuseNotes = [
  'Câu trả lời chưa đúng trọng tâm, đề nghị kiểm tra lại thực tế.',
  'Chưa nêu rõ thời gian khắc phục.',
];
export const reopenReasons = [
  'Sự việc tái diễn sau khi đã xử lý.',
  'Người dân chưa đồng ý với kết quả trả lời.',
];
export const ratingComments = [
  'Xử lý nhanh, cảm ơn phường.',
  'Đã khắc phục nhưng còn chậm.',
  'Chưa hài lòng.',
  'Cán bộ nhiệt tình.',
];
