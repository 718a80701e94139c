/** A user's roles, as badges. */
export function Roles({ roles }: { roles: string[] }) {
  return (
    <>
      {roles.map((role) => (
        <span key={role} className="badge">
          {role}
        </span>
      ))}
    </>
  )
}
