import Link from 'next/link';

export default function NotFound() {
  return (
    <section className="gate">
      <h1>Page not found</h1>
      <p>
        Go to the <Link href="/">executions</Link> or the <Link href="/runbooks/">runbooks</Link>.
      </p>
    </section>
  );
}
