import { AddressNotAllowedError, publicAddressesOf } from '../../shared/address-guard.ts';

/**
 * What is wrong with a webhook URL, in Vietnamese, or null: http(s) only, no credentials (they would be
 * stored and echoed), and — unless WEBHOOK_ALLOW_PRIVATE — a host whose every address is public
 * (address-guard.ts). The same check runs again at each delivery, on the address connected to.
 */
export async function webhookUrlProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Địa chỉ webhook không phải URL hợp lệ';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'Địa chỉ phải là URL http:// hoặc https://';
  if (url.username || url.password) return 'Địa chỉ webhook không được chứa tên đăng nhập hay mật khẩu';
  if (allowPrivate) return null;
  try {
    await publicAddressesOf(url.hostname);
    return null;
  } catch (err) {
    return err instanceof AddressNotAllowedError
      ? 'Địa chỉ webhook trỏ vào mạng nội bộ hoặc địa chỉ không công khai; chỉ gửi tới địa chỉ công khai'
      : 'Không phân giải được tên miền của địa chỉ webhook';
  }
}
