from django.apps import AppConfig


class FormationConfig(AppConfig):
    name = "peergroups.formation"

    def ready(self) -> None:
        from peergroups.formation.recovery import on_recovery_swept
        from peergroups.ops.recovery import recovery_swept

        # A worker's sweep fails the runs its dead peers left running.
        recovery_swept.connect(on_recovery_swept, dispatch_uid="formation-recovery")
