import { ProducersView } from "@/components/producers/producers-view";

export default function ProducersPage() {
  return (
    <>
      <h1 className="mb-1 text-base font-semibold">Producer processes</h1>
      <p className="mb-3 text-xs text-slate-500">
        A process&apos;s prev_hash chain runs across every execution and invocation it served: here it is verified
        whole, from the lines this tab read or, with an index, from the whole stream.
      </p>
      <ProducersView />
    </>
  );
}
