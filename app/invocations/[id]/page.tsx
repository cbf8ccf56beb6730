import { ExecutionView } from "@/components/timeline/execution-view";
import { decodeUrlText } from "@/lib/links/url-text";

/** An invocation outside any workflow run (its correlation_id), on the same timeline as a run. */
export default async function InvocationPage({ params }: PageProps<"/invocations/[id]">) {
  // Percent-encoded like an execution's segment: decoded here, once.
  const { id } = await params;
  return <ExecutionView context={{ kind: "invocation", id: decodeUrlText(id) }} />;
}
