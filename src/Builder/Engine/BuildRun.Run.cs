using Images.Builder.Parsing;

namespace Images.Builder.Engine;

internal sealed partial class BuildRun
{
    private void RunStep(StageState state, RunInstruction run) =>
        throw new BuildException($"{run.Location}: RUN needs the process runtime, which this build of images does not have yet");
}
