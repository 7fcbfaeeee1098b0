// The steps several browser tests take the same way: register a resident, add a person, pay
// for everyone listed. One copy here, so a change in a screen is mended once.

/** The sandbox bank's card that pays at once. */
export const SANDBOX_CARD = '6222020000123456782';
/** The password of every resident the browser tests register. */
export const PASSWORD = 'mima-12345';

/** Adults on the demo roster who can pay this year (not disabled, under 60). */
export function payablePeople(server) {
  return server.people.filter((p) => p.age >= 16 && p.age < 60 && !p.note.includes('残疾'));
}

/** Registers `mobile` through the app's form and waits for the home screen. */
export async function register(page, server, mobile) {
  await page.goto(`${server.url}/register`);
  await page.getByTestId('register-mobile').fill(mobile);
  await page.getByTestId('register-password').fill(PASSWORD);
  await page.getByTestId('register-password2').fill(PASSWORD);
  await page.getByTestId('register-submit').click();
  await page.getByTestId('add-payee').waitFor();
}

/** Adds a person by name and ID number and waits for the list. */
export async function addPerson(page, person) {
  await page.getByTestId('add-payee').click();
  await page.getByTestId('payee-name').fill(person.name);
  await page.getByTestId('payee-id-number').fill(person.id);
  await page.getByTestId('payee-id-ok').waitFor();
  await page.getByTestId('payee-submit').click();
  await page.getByTestId('payee-list').waitFor();
}

/** The pay flow: every listed person, the 500 tier each, the first card, confirm; answers
 * how many people were paid for. */
export async function payAll(page) {
  await page.getByTestId('start-pay').click();
  const people = page.getByTestId('pay-person');
  await people.first().waitFor();
  for (const box of await people.all()) await box.check();
  const count = await people.count();
  await page.getByTestId('pay-next').click();
  // Each step's number is waited for before its buttons are pressed: the screen is rebuilt
  // after the click that moves on, and a click on the old screen's buttons would be lost.
  const atStep = (n) => page.locator(`[data-testid="pay-step"][data-step="${n}"]`).waitFor();
  for (let i = 0; i < count; i += 1) {
    await atStep(2 + i);
    await page.locator('[data-testid="tier-option"][data-amount="500"]').click();
    await page.getByTestId('pay-next').click();
  }
  await atStep(2 + count);
  await page.getByTestId('card-option').first().click();
  await page.getByTestId('pay-next').click();
  await page.getByTestId('confirm-total').waitFor();
  await page.getByTestId('confirm-pay').click();
  await page.getByTestId('payment-list').waitFor();
  return count;
}
