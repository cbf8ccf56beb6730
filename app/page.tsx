import { ExecutionsTable } from "@/components/executions/executions-table";
import { MalformedList } from "@/components/executions/malformed-list";
import { StreamHolesBanner } from "@/components/live/stream-holes-banner";

export default function ExecutionsPage() {
  return (
    <>
      <h1 className="sr-only">Workflow executions and invocations</h1>
      <StreamHolesBanner />
      <MalformedList />
      <ExecutionsTable />
    </>
  );
}
