import { ExecutionView } from "@/components/timeline/execution-view";
import { decodeUrlText } from "@/lib/links/url-text";

export default async function ExecutionPage({ params }: PageProps<"/executions/[id]">) {
  // Next hands a dynamic segment over percent-encoded (`/executions/a%20b` gives "a%20b"): decoded here, once.
  const { id } = await params;
  return <ExecutionView context={{ kind: "execution", id: decodeUrlText(id) }} />;
}
