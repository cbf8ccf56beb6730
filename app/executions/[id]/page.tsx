import { ExecutionView } from "@/components/timeline/execution-view";

export default async function ExecutionPage({ params }: PageProps<"/executions/[id]">) {
  const { id } = await params;
  return <ExecutionView executionId={id} />;
}
