import type { StaffSession } from '../../../services/staff.js';
import { FieldError, Layout, described } from '../layout.js';


/** Enrol a participant: the fields every consent decision needs (the birth date decides minority). */
export function EnrolPage(props: { session: StaffSession; errors: Record<string, string>; values: Record<string, string>; enrolled?: { id: string; name: string }; notice?: string }) {
  const { errors, values, session } = props;
  return (
    <Layout title="Enrol a participant" session={session}>
      <h1>Enrol a participant</h1>
      {props.enrolled ? <p class="notice" role="status">Enrolled {props.enrolled.name} as <code>{props.enrolled.id}</code>. <a href={`/console/referrals/new?participant=${props.enrolled.id}`}>Refer {props.enrolled.name}</a></p> : null}
      {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
      {Object.keys(errors).length ? <p class="alert" role="alert">The participant was not enrolled: see the fields below.</p> : null}
      <form class="stack card" method="post" action="/console/participants">
        <input type="hidden" name="csrf" value={session.csrfToken} />
        <label for="given">Given name(s)</label>
        <FieldError id="given-error" message={errors.given} />
        <input id="given" name="given" autocomplete="off" required value={values.given ?? ''} {...described('given-error', errors.given)} />
        <label for="family">Family name</label>
        <FieldError id="family-error" message={errors.family} />
        <input id="family" name="family" autocomplete="off" required value={values.family ?? ''} {...described('family-error', errors.family)} />
        <label for="birthDate">Date of birth</label>
        <FieldError id="birthDate-error" message={errors.birthDate} />
        <input id="birthDate" name="birthDate" type="date" required value={values.birthDate ?? ''} {...described('birthDate-error', errors.birthDate)} />
        <label for="externalId">Your case number (optional)</label>
        <FieldError id="externalId-error" message={errors.externalId} />
        <input id="externalId" name="externalId" autocomplete="off" value={values.externalId ?? ''} {...described('externalId-error', errors.externalId)} />
        <button type="submit">Enrol</button>
      </form>
    </Layout>
  );
}
